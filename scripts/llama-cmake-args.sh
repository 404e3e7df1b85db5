#!/usr/bin/env bash
# The CMake options that build llama.cpp (llama-cpp-python) for the instruction sets this CPU has:
# AVX2/FMA/F16C always (the portable baseline), and every AVX-512 and AVX-VNNI extension the CPU
# reports (prompt reading 1.5x faster with them: 84 against 55 tokens/s on a 2-core Sapphire Rapids).
# GGML_NATIVE stays off because -march=native would also turn on AMX, whose kernels crash there
# (SIGSEGV in ggml_backend_amx_mul_mat).
set -euo pipefail
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
has() { [[ $flags == *" $1 "* ]]; }
args="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
if has avx512f && has avx512cd && has avx512vl && has avx512dq && has avx512bw; then
  args+=" -DGGML_AVX512=ON"
  if has avx512vbmi; then args+=" -DGGML_AVX512_VBMI=ON"; fi
  if has avx512_vnni; then args+=" -DGGML_AVX512_VNNI=ON"; fi
  if has avx512_bf16; then args+=" -DGGML_AVX512_BF16=ON"; fi
fi
if has avx_vnni; then args+=" -DGGML_AVX_VNNI=ON"; fi
echo "$args"
