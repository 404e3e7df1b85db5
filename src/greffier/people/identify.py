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


class PrintIndex:
    """An organisation's prints as one (n, 192) matrix, rows grouped by person."""

    def __init__(self, prints: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """`prints`: (person id, name, vector) per print."""
        ordered = sorted(prints, key=lambda p: p[0])
        self.matrix = (
            np.stack([p[2] for p in ordered]).astype(np.float32)
            if ordered
            else np.zeros((0, DIM), np.float32)
        )
        self.people: list[tuple[str, str]] = []
        starts: list[int] = []
        for row, (person_id, name, _) in enumerate(ordered):
            if not self.people or self.people[-1][0] != person_id:
                self.people.append((person_id, name))
                starts.append(row)
        self._starts = np.array(starts, dtype=np.intp)

    def __len__(self) -> int:
        return len(self.matrix)

    def scores(self, voices: np.ndarray) -> np.ndarray:
        """(speakers, people): each person's best print's cosine with each (normalised) voice."""
        if not len(self.people) or not len(voices):
            return np.zeros((len(voices), len(self.people)), np.float32)
        return np.maximum.reduceat(voices @ self.matrix.T, self._starts, axis=1)


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
