"""Greedy decoding constrained by a grammar, checked on the best token first.

llama-cpp-python applies a grammar to the whole vocabulary (151,936 tokens for Qwen2.5) at every
step; with the minutes' schema (every quotable sentence an alternative) that costs about 25 ms a
token, as much as computing the token. llama.cpp's own sampler (`common_sampler`) checks only the
most probable token and applies the grammar to the whole vocabulary only when that token is
rejected; `GrammarFirstToken` does the same. The result is the same as llama-cpp-python's chain
(repetition penalty, then grammar, then greedy): the best token under the penalty is kept when the
grammar admits it, else the best of those the grammar admits.

`ForcedEnum` says what the grammar forces: once the characters written inside a string whose
value must be one of an `enum` (a quote) fit a single value, the rest of it is decided, and the
decoder can feed it to the model in one batch instead of computing it token by token.
"""

from __future__ import annotations

import ctypes
import json
import re
from collections.abc import Sequence
from typing import Any

import llama_cpp
import numpy as np

from greffier.assist.llama_internals import LlamaInternals

TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class GrammarFirstToken:
    """The grammar state of one completion and its greedy choice (with llama.cpp's repetition
    penalty, applied before the grammar as llama-cpp-python's chain does)."""

    def __init__(self, llama: Any, gbnf: str, root: str, repeat_penalty: float, last_n: int) -> None:
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            LlamaInternals(llama).vocab, gbnf.encode("utf-8"), root.encode("utf-8")
        )
        if not self._sampler:
            raise ValueError("llama.cpp could not parse the grammar")
        self._penalty = repeat_penalty
        self._last_n = last_n
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
        """The grammar of output that follows `json_schema` (llama-cpp-python's own converter),
        with llama-cpp-python's repetition window."""
        from llama_cpp.llama_grammar import json_schema_to_gbnf

        gbnf = json_schema_to_gbnf(json.dumps(json_schema))
        return cls(llama, gbnf, "root", repeat_penalty, llama.last_n_tokens_size)

    def __del__(self) -> None:
        if getattr(self, "_sampler", None):
            llama_cpp.llama_sampler_free(self._sampler)
            self._sampler = None

    def choose(self, scores: np.ndarray, generated: Sequence[int]) -> int:
        """The greedy token after `generated` given the model's `scores` (not yet accepted)."""
        logits = self._penalised(np.array(scores, dtype=np.single), generated)
        best = int(np.argmax(logits))
        self.steps += 1
        if not self.admits(best, float(logits[best])):
            self.rejected += 1
            best = self._best_admitted(logits)
        return best

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self._sampler, token)

    def admits(self, token: int, logit: float = 0.0) -> bool:
        self._one[0].id, self._one[0].logit, self._one[0].p = token, logit, 0.0
        self._apply(self._one, 1)
        return bool(np.isfinite(self._one[0].logit))

    def _penalised(self, logits: np.ndarray, generated: Sequence[int]) -> np.ndarray:
        """llama.cpp's repetition penalty on the distinct tokens of the last `last_n` generated."""
        if self._penalty != 1.0 and len(generated):
            ids = np.unique(np.asarray(generated[-self._last_n :], dtype=np.intc))
            values = logits[ids]
            logits[ids] = np.where(values > 0, values / self._penalty, values * self._penalty)
        return logits

    def _apply(self, data: ctypes.Array, size: int) -> None:
        candidates = llama_cpp.llama_token_data_array(data, size, -1, False)
        llama_cpp.llama_sampler_apply(self._sampler, ctypes.byref(candidates))

    def _best_admitted(self, logits: np.ndarray) -> int:
        self._all_view["logit"] = logits
        self._apply(self._all, len(self._all_view))
        admitted = self._all_view["logit"]
        if not np.isfinite(admitted).any():
            raise ValueError("the grammar admits no token here")
        return int(np.argmax(admitted))


class ForcedEnum:
    """What the grammar of a JSON schema forces inside the string value of a property whose values
    are an `enum`. The converter writes each value as `json.dumps(value)` (non-ASCII escaped), so
    the written text is compared with those literals."""

    def __init__(self, json_schema: dict[str, Any]) -> None:
        self._literals: dict[str, dict[str, None]] = {}
        _collect_enums(json_schema, self._literals)
        names = "|".join(re.escape(json.dumps(n)) for n in self._literals)
        self._open = re.compile(rf'({names})\s*:\s*("(?:[^"\\]|\\.)*)\Z') if names else None
        self._longest = max((len(v) for vs in self._literals.values() for v in vs), default=0) + 64

    def rest(self, text: str) -> str:
        """The characters that must follow `text` (JSON written so far): the end of the enum
        literal that `text` is inside, when only one fits what is written; else nothing."""
        if self._open is None:
            return ""
        found = self._open.search(text[-self._longest :])
        if found is None:
            return ""
        written = found.group(2)
        fitting = [v for v in self._literals[json.loads(found.group(1))] if v.startswith(written)]
        return fitting[0][len(written) :] if len(fitting) == 1 else ""


def _collect_enums(node: Any, out: dict[str, dict[str, None]]) -> None:
    """Property name -> the JSON literals of its string `enum`s, anywhere in the schema (a union
    when several objects have one: what is forced is then checked against the grammar)."""
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            if isinstance(prop, dict) and all(isinstance(v, str) for v in prop.get("enum", [None])):
                out.setdefault(name, {}).update(dict.fromkeys(json.dumps(v) for v in prop["enum"]))
        for value in node.values():
            _collect_enums(value, out)
    elif isinstance(node, list):
        for value in node:
            _collect_enums(value, out)
