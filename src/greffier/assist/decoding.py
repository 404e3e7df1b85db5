"""Greedy JSON decoding of the embedded model: llama.cpp computes, Greffier chooses.

Each step takes the model's scores for the next token and the greedy choice the grammar admits
(`GrammarFirstToken`). Two things make it faster than llama-cpp-python's one-token loop on a CPU:

- **Fast-forward.** When the grammar decides what follows (the rest of a quote, once its first
  words fit one transcript sentence: `ForcedEnum`), those tokens go to the model with the chosen
  one in a single batch instead of one step each.
- **Sequences side by side.** Several requests (the pieces of a long meeting) are decoded in the
  same steps, each in its own sequence of the KV cache: on 2 cores one step of 4 sequences took
  145 ms where one sequence took 74 ms. A request's prompt is read when a sequence is free.

Batched scores round differently from single ones, so greedy choices after a batch may differ
from llama-cpp-python's; without either (`fast_forward=False`, one request) the output is the same,
token for token. A sequence keeps the KV cache of its last prompt, and a new prompt with the same
beginning (a live call's growing transcript) reads only what is new.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import llama_cpp
import numpy as np
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from greffier.assist.grammar import ForcedEnum, GrammarFirstToken
from greffier.assist.llama_internals import LlamaInternals

Messages = Sequence[dict[str, str]]


@dataclass
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str
    """"stop" (the model ended its answer) or "length" (cut at `max_tokens`)."""
    forced_tokens: int
    """Tokens the grammar decided, fed to the model in batches rather than chosen one by one."""
    refused: int
    """Steps where the model's best token was refused (the grammar then applied to the whole vocabulary)."""


@dataclass
class _Running:
    """One request being decoded in sequence `seq`."""

    index: int
    seq: int
    prompt_tokens: int
    grammar: GrammarFirstToken
    forced_enum: ForcedEnum | None
    max_tokens: int
    scores: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.single))
    generated: list[int] = field(default_factory=list)
    written: bytearray = field(default_factory=bytearray)
    forced: int = 0

    def done(self, finish: str) -> Completion:
        text = self.written.decode("utf-8", errors="ignore")
        return Completion(
            text, self.prompt_tokens, len(self.generated), finish, self.forced, self.grammar.rejected
        )


class JSONDecoder:
    """Chat completions of one `llama_cpp.Llama` that follow a JSON schema, decoded greedily."""

    def __init__(self, llama: Any, repeat_penalty: float, *, fast_forward: bool = True) -> None:
        self._llama = llama
        self._penalty = repeat_penalty
        self._fast_forward = fast_forward
        self._internals = internals = LlamaInternals(llama)
        eos, bos = llama.token_eos(), llama.token_bos()
        self._formatter = Jinja2ChatFormatter(  # the GGUF's own template, as llama-cpp-python uses it
            template=llama.metadata["tokenizer.chat_template"],
            eos_token=internals.token_text(eos) if eos != -1 else "",
            bos_token=internals.token_text(bos) if bos != -1 else "",
        )
        self._sequences = llama_cpp.llama_n_seq_max(internals.context)
        self._seq_length = llama_cpp.llama_n_ctx_seq(internals.context)
        self._most_forced = llama.n_batch // self._sequences - 1
        """Forced tokens fed in one step (a batch holds every sequence's; the rest comes next step)."""
        self._seq_tokens: list[list[int]] = [[] for _ in range(self._sequences)]
        """What each sequence of the KV cache holds, as far as this decoder wrote it."""
        self._batch = internals.new_batch()

    def prompt(self, messages: Messages) -> list[int]:
        formatted = self._formatter(messages=list(messages))
        return self._llama.tokenize(
            formatted.prompt.encode("utf-8"), add_bos=not formatted.added_special, special=True
        )

    def complete(self, messages: Messages, json_schema: dict[str, Any], max_tokens: int) -> Completion:
        return self.complete_all([(messages, json_schema)], max_tokens)[0]

    def complete_all(
        self,
        requests: Sequence[tuple[Messages, dict[str, Any]]],
        max_tokens: int,
        done: Callable[[int], None] | None = None,
    ) -> list[Completion]:
        """The completion of every `(messages, json_schema)`, decoded side by side in the free
        sequences; `done(index)` is called as each one ends."""
        waiting = deque(enumerate(requests))
        running: dict[int, _Running] = {}
        results: list[Completion | None] = [None] * len(requests)
        try:
            while waiting or running:
                while waiting and len(running) < self._sequences:
                    index, (messages, schema) = waiting.popleft()
                    seq = min(set(range(self._sequences)) - set(running))
                    running[seq] = self._start(index, seq, self.prompt(messages), schema, max_tokens)
                feeds: list[tuple[_Running, list[int]]] = []
                for seq, r in list(running.items()):
                    finish, feed = self._step(r)
                    if finish:
                        results[r.index] = r.done(finish)
                        del running[seq]
                        if done:
                            done(r.index)
                    else:
                        feeds.append((r, feed))
                if feeds:
                    self._decode(feeds)
        finally:
            self._llama.n_tokens = 0  # llama-cpp-python's own API must not trust the cache after this
        return [r for r in results if r is not None]

    def _start(
        self, index: int, seq: int, prompt: list[int], schema: dict[str, Any], max_tokens: int
    ) -> _Running:
        """Read `prompt` into sequence `seq`, keeping the cache of its common beginning with what the
        sequence held (at least the last token is read again, for fresh scores)."""
        if len(prompt) >= self._seq_length:
            raise ValueError(f"Requested tokens ({len(prompt)}) exceed context window of {self._seq_length}")
        held = self._seq_tokens[seq]
        memory = llama_cpp.llama_get_memory(self._internals.context)
        if llama_cpp.llama_memory_seq_pos_max(memory, seq) != len(held) - 1:
            held = []  # someone else (llama-cpp-python's own API) changed the cache
        common = 0
        for have, want in zip(held, prompt[:-1], strict=False):
            if have != want:
                break
            common += 1
        if not llama_cpp.llama_memory_seq_rm(memory, seq, common, -1):
            common = 0
            llama_cpp.llama_memory_seq_rm(memory, seq, -1, -1)
        self._seq_tokens[seq] = prompt[:common]
        running = _Running(
            index,
            seq,
            len(prompt),
            GrammarFirstToken.for_json_schema(self._llama, schema, self._penalty),
            ForcedEnum(schema) if self._fast_forward else None,
            max_tokens,
        )
        rest = prompt[common:]
        step = self._llama.n_batch
        for start in range(0, len(rest), step):
            self._decode([(running, rest[start : start + step])])
        return running

    def _step(self, r: _Running) -> tuple[str | None, list[int]]:
        """The next token of `r` and those the grammar forces after it; or why `r` is finished."""
        if len(r.generated) >= r.max_tokens or len(self._seq_tokens[r.seq]) >= self._seq_length:
            return "length", []
        token = r.grammar.choose(r.scores, r.generated)
        if llama_cpp.llama_vocab_is_eog(self._internals.vocab, token):
            return "stop", []
        feed = [token]
        r.grammar.accept(token)
        r.generated.append(token)
        r.written += self._llama.detokenize([token])
        if r.forced_enum is not None:
            for forced in self._forced(r):
                r.generated.append(forced)
                r.written += self._llama.detokenize([forced])
                feed.append(forced)
            r.forced += len(feed) - 1
        return None, feed

    def _forced(self, r: _Running) -> list[int]:
        """The tokens of what the grammar forces after what `r` wrote, each one checked and accepted
        by the grammar (the first one it refuses ends them)."""
        assert r.forced_enum is not None
        rest = r.forced_enum.rest(r.written.decode("utf-8", errors="ignore"))
        if not rest:
            return []
        tokens = []
        room = min(
            r.max_tokens - len(r.generated),
            self._seq_length - len(self._seq_tokens[r.seq]) - 1,
            self._most_forced,
        )
        for token in self._llama.tokenize(rest.encode("utf-8"), add_bos=False, special=False)[:room]:
            if not r.grammar.admits(token):
                break
            r.grammar.accept(token)
            tokens.append(token)
        return tokens

    def _decode(self, feeds: list[tuple[_Running, list[int]]]) -> None:
        """One llama.cpp batch: the tokens of each request at the end of its sequence; each request's
        scores are then those after its last token."""
        batch = self._batch.batch
        batch.n_tokens = 0
        rows = []
        for r, tokens in feeds:
            position = len(self._seq_tokens[r.seq])
            for k, token in enumerate(tokens):
                i = batch.n_tokens
                batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, position + k, 1
                batch.seq_id[i][0] = r.seq
                batch.logits[i] = k == len(tokens) - 1
                batch.n_tokens += 1
            rows.append(batch.n_tokens - 1)
            self._seq_tokens[r.seq] = self._seq_tokens[r.seq] + tokens
        self._internals.decode(self._batch)
        n_vocab = self._llama.n_vocab()
        for (r, _), row in zip(feeds, rows, strict=True):
            r.scores = np.ctypeslib.as_array(self._internals.logits(row), shape=(n_vocab,)).copy()
