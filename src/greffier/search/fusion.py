"""Reciprocal rank fusion: one ranking from several, each item scored sum(1 / (K + rank)) over the
rankings that hold it (Cormack et al., 2009). No score needs calibrating: only ranks are used."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = 60
T = TypeVar("T", bound=Hashable)


def fuse(rankings: Sequence[Sequence[T]], k: int = K) -> list[tuple[T, float]]:
    scores: dict[T, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
