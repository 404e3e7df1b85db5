"""llama-cpp-python's private API behind one adapter.

Greffier decodes several sequences side by side in the context of a `llama_cpp.Llama`, which its
public API does not offer: it needs the `_internals` wrappers (`LlamaBatch`, `LlamaContext`) and the
`Llama`'s private `_ctx`, `_model` and `_stack`. They are used nowhere else: a llama-cpp-python
release that changes their shape fails tests/test_assist_llama_internals.py rather than a summary.
"""

from __future__ import annotations

import ctypes
from contextlib import closing
from typing import Any

import llama_cpp
from llama_cpp._internals import LlamaBatch, LlamaContext


class LlamaInternals:
    """The private parts of one `llama_cpp.Llama` that the JSON decoder works on."""

    def __init__(self, llama: Any) -> None:
        self.llama = llama

    def open_sequences(self, sequences: int) -> None:
        """Give the `Llama` a context of `sequences` sequences, each as long as its context was
        (llama-cpp-python only opens one); its own completion API still works on the first."""
        if sequences <= 1:
            return
        llama = self.llama
        params = llama.context_params
        params.n_seq_max = sequences
        params.n_ctx = llama.n_ctx() * sequences
        params.kv_unified = False  # a unified cache makes every sequence attend over all: 140 ms a step
        old = llama._ctx
        llama._ctx = llama._stack.enter_context(closing(LlamaContext(model=llama._model, params=params)))
        old.close()

    @property
    def context(self) -> llama_cpp.llama_context_p:
        """The llama.cpp context handle, for the `llama_cpp` C functions."""
        return self.llama._ctx.ctx

    @property
    def vocab(self) -> llama_cpp.llama_vocab_p:
        """The llama.cpp vocabulary handle, for the `llama_cpp` C functions."""
        return self.llama._model.vocab

    def token_text(self, token: int) -> str:
        return self.llama._model.token_get_text(token)

    def new_batch(self) -> LlamaBatch:
        """A batch of up to `n_batch` tokens, one sequence id each; fill its `.batch` and `decode` it."""
        return LlamaBatch(n_tokens=self.llama.n_batch, embd=0, n_seq_max=1, verbose=False)

    def decode(self, batch: LlamaBatch) -> None:
        self.llama._ctx.decode(batch)

    def logits(self, row: int) -> ctypes.Array:
        """The scores after the token in row `row` of the last decoded batch."""
        return self.llama._ctx.get_logits_ith(row)
