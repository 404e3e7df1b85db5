"""Hits spread over meetings: a meeting's passages come at most `PER_MEETING` at a time, so that the
best of other meetings is not pushed off the first page by one meeting that says the same thing ten
times (web search engines' host crowding: at most two results of one site before the others).
Nothing is dropped: a meeting's third and fourth passages come after every meeting's first two, and
so on, each group in fused order. Within one meeting (the `meeting` filter) the order is unchanged."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

PER_MEETING = 2
"""ELITR-Bench recall@5 across the 10 dev meetings, merged: 0.794 unspread, 0.816 at 2 and at 3,
0.865 at 1 (why 2: docs/decisions/0019-search-passage-overlap-and-one-hit-per-meeting.md)."""

T = TypeVar("T", bound=Hashable)


def spread(
    ranked: Sequence[tuple[T, float]], meeting_of: Mapping[T, Hashable], per_meeting: int = PER_MEETING
) -> list[tuple[T, float]]:
    """`ranked` (item, score), best first, reordered: an item's group is how many items of its meeting
    come before it, divided by `per_meeting`; groups in order, fused order within a group."""
    before: Counter[Hashable] = Counter()
    keyed = []
    for position, (item, score) in enumerate(ranked):
        meeting = meeting_of.get(item, item)
        keyed.append((before[meeting] // per_meeting, position, (item, score)))
        before[meeting] += 1
    return [pair for _, _, pair in sorted(keyed, key=lambda k: (k[0], k[1]))]
