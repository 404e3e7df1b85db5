"""Which person each speaker of a recording is: cosine scores of the speakers' voices against an
organisation's prints (one matrix product), a person's score the best of their prints, then a
one-to-one assignment (Hungarian, `scipy.optimize.linear_sum_assignment`: two speakers never get the
same person) of which only the pairs scoring `threshold` or more are kept. The others stay
`SPEAKER_xx`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from greffier.people.voiceprint import DIM

THRESHOLD = 0.75
"""Cosine from which a speaker is a person: chosen on the ami-debug-train curve with reference turns
(`python -m bench people`, docs/people.md) as the lowest threshold with no false acceptance there
(75.8 % of the enrolled speech identified; 0.70 let 9.7 % of strangers' speech through)."""


@dataclass(frozen=True)
class Match:
    person_id: str
    name: str
    score: float


BLOCK, VOICES = 160, 8
"""Prints per block of the index, voices per product: 8 voices by a block stays under OpenBLAS's
threading threshold (m·n·k < 262,144), so it runs in the calling thread. Waking BLAS threads costs
more than the product on a busy server: 10,000 prints, 8 voices, 2 shared cores: 12–16 ms threaded,
under 2 ms in blocks (`python -m bench people`)."""


class PrintIndex:
    """An organisation's prints, preloaded for search: normalised, float32, transposed into
    C-contiguous (192, BLOCK) blocks (columns grouped by person), so that scoring the voices against
    every print is a float32 matrix product per block, with no copy or conversion of the prints."""

    def __init__(self, prints: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """`prints`: (person id, name, vector) per print."""
        ordered = sorted(prints, key=lambda p: p[0])
        rows = (
            np.stack([p[2] for p in ordered]).astype(np.float32)
            if ordered
            else np.zeros((0, DIM), np.float32)
        )
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-8)
        self._blocks = [np.ascontiguousarray(rows[i : i + BLOCK].T) for i in range(0, len(rows), BLOCK)]
        self._size = len(rows)
        self.people: list[tuple[str, str]] = []
        starts: list[int] = []
        for row, (person_id, name, _) in enumerate(ordered):
            if not self.people or self.people[-1][0] != person_id:
                self.people.append((person_id, name))
                starts.append(row)
        self._starts = np.array(starts, dtype=np.intp)
        self._one_each = len(self.people) == len(ordered)

    def __len__(self) -> int:
        return self._size

    def scores(self, voices: np.ndarray) -> np.ndarray:
        """(speakers, people): each person's best print's cosine with each (normalised) voice."""
        if not len(self.people) or not len(voices):
            return np.zeros((len(voices), len(self.people)), np.float32)
        voices = np.asarray(voices, dtype=np.float32)
        cosines = np.empty((len(voices), self._size), np.float32)
        for v in range(0, len(voices), VOICES):
            for i, block in enumerate(self._blocks):
                np.matmul(
                    voices[v : v + VOICES], block, out=cosines[v : v + VOICES, i * BLOCK : (i + 1) * BLOCK]
                )
        return cosines if self._one_each else np.maximum.reduceat(cosines, self._starts, axis=1)


def identify(
    voices: Mapping[str, np.ndarray], index: PrintIndex, threshold: float = THRESHOLD
) -> dict[str, Match]:
    """The person of each speaker (by id) that has one at `threshold` or more, one-to-one."""
    speakers = list(voices)
    if not speakers or not index.people:
        return {}
    scores = index.scores(np.stack([voices[s] for s in speakers]))
    rows, columns = linear_sum_assignment(-scores)
    out = {}
    for r, c in zip(rows, columns, strict=True):
        if scores[r, c] >= threshold:
            person_id, name = index.people[c]
            out[speakers[r]] = Match(person_id, name, round(float(scores[r, c]), 4))
    return out
