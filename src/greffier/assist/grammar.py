"""Greedy decoding constrained by a grammar, checked on the best token first.

llama-cpp-python applies a grammar to the whole vocabulary (151,936 tokens for Qwen2.5) at every
step; with the minutes' schema (every quotable sentence an alternative) that costs about 25 ms a
token, as much as computing the token. llama.cpp's own sampler (`common_sampler`) checks only the
most probable token and applies the grammar to the whole vocabulary only when that token is
rejected; `GrammarFirstToken` does the same as a logits processor. The result is the same as
llama-cpp-python's chain (repetition penalty, then grammar, then greedy): the best token under
the penalty is kept when the grammar admits it, else the best of those the grammar admits.
"""

from __future__ import annotations

import ctypes
import json
from typing import Any

import llama_cpp
import numpy as np

TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class GrammarFirstToken:
    """A llama-cpp-python logits processor for one completion (`temperature=0`, `repeat_penalty=1`
    and no `grammar` given to llama-cpp-python: this does both). Leaves one token possible."""

    def __init__(self, llama: Any, gbnf: str, root: str, repeat_penalty: float, last_n: int) -> None:
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            llama._model.vocab, gbnf.encode("utf-8"), root.encode("utf-8")
        )
        if not self._sampler:
            raise ValueError("llama.cpp could not parse the grammar")
        self._penalty = repeat_penalty
        self._last_n = last_n
        self._prompt_tokens: int | None = None
        self._accepted = 0
        self.steps = 0
        self.rejected = 0
        """Tokens chosen, and how many times the best one was refused (the grammar then applied to all)."""
        self._one = (llama_cpp.llama_token_data * 1)()
        self._all = (llama_cpp.llama_token_data * llama.n_vocab())()
        self._all_view = np.frombuffer(self._all, dtype=TOKEN_DATA)
        self._all_view["id"] = np.arange(len(self._all_view), dtype=np.intc)

    @classmethod
    def for_json_schema(
        cls, llama: Any, json_schema: dict[str, Any], repeat_penalty: float
    ) -> GrammarFirstToken:
        """The processor for output that follows `json_schema` (llama-cpp-python's own converter),
        with llama-cpp-python's repetition window."""
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        gbnf = json_schema_to_gbnf(json.dumps(json_schema))
        return cls(llama, gbnf, "root", repeat_penalty, llama.last_n_tokens_size)

    def __del__(self) -> None:
        if getattr(self, "_sampler", None):
            llama_cpp.llama_sampler_free(self._sampler)
            self._sampler = None

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        if self._prompt_tokens is None:
            self._prompt_tokens = len(input_ids)
        generated = input_ids[self._prompt_tokens :]
        for token in generated[self._accepted :]:
            llama_cpp.llama_sampler_accept(self._sampler, int(token))
        self._accepted = len(generated)
        logits = self._penalised(np.array(scores, dtype=np.single), generated)
        best = int(np.argmax(logits))
        self.steps += 1
        if not self._admits(best, float(logits[best])):
            self.rejected += 1
            best = self._best_admitted(logits)
        out = np.full_like(scores, -np.inf)
        out[best] = scores[best]
        return out

    def _penalised(self, logits: np.ndarray, generated: np.ndarray) -> np.ndarray:
        """llama.cpp's repetition penalty on the distinct tokens of the last `last_n` generated."""
        if self._penalty != 1.0 and len(generated):
            ids = np.unique(generated[-self._last_n :])
            values = logits[ids]
            logits[ids] = np.where(values > 0, values / self._penalty, values * self._penalty)
        return logits

    def _apply(self, data: ctypes.Array, size: int) -> None:
        candidates = llama_cpp.llama_token_data_array(data, size, -1, False)
        llama_cpp.llama_sampler_apply(self._sampler, ctypes.byref(candidates))

    def _admits(self, token: int, logit: float) -> bool:
        self._one[0].id, self._one[0].logit, self._one[0].p = token, logit, 0.0
        self._apply(self._one, 1)
        return bool(np.isfinite(self._one[0].logit))

    def _best_admitted(self, logits: np.ndarray) -> int:
        self._all_view["logit"] = logits
        self._apply(self._all, len(self._all_view))
        admitted = self._all_view["logit"]
        if not np.isfinite(admitted).any():
            raise ValueError("the grammar admits no token here")
        return int(np.argmax(admitted))
