"""How a transcript is shown to the model, and how a long one is cut into pieces that fit.

The model reads a script: one paragraph per speaker turn, `Speaker: words`. It cites evidence by
copying a segment's words (`quote`); the JSON schema given to it only admits the segments of the
piece it read (`constrained_schema`), so a grammar-constrained model cannot invent a quote, and
no token is spent on segment ids in the prompt.

A transcript longer than the token budget is cut where the topic shifts: among the last 40 % of
the segments that fit, the cut goes where the embeddings of the few segments before and after it
differ most (a long silence counts as a shift too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel

from greffier.transcript import Segment

WINDOW = 3
"""Segments on each side of a candidate cut compared for a topic shift."""
PAUSE_BONUS_PER_SECOND = 0.02


def _label(segment: Segment, names: dict[str, str]) -> str | None:
    return names.get(segment.speaker, segment.speaker) if segment.speaker else None


def format_script(segments: Sequence[Segment], names: dict[str, str]) -> str:
    """One paragraph per speaker turn: `Speaker: text of its segments`."""
    return format_turns((_label(s, names), s.text) for s in segments)


def format_turns(lines: Iterable[tuple[str | None, str]]) -> str:
    """(speaker, text) lines as one paragraph per speaker turn: `Speaker: its texts`; empty texts left out."""
    paragraphs: list[str] = []
    previous: object = object()
    for who, said in lines:
        text = said.strip()
        if not text:
            continue
        if who == previous and paragraphs:
            paragraphs[-1] += " " + text
        else:
            paragraphs.append(f"{who}: {text}" if who else text)
        previous = who
    return "\n".join(paragraphs)


def split(
    segments: Sequence[Segment],
    budget: int,
    count_tokens: Callable[[str], int],
    names: dict[str, str],
    embed: Callable[[list[str]], np.ndarray],
) -> list[list[Segment]]:
    """Consecutive pieces of at most `budget` tokens each (a longer single segment stays whole)."""
    sizes = [count_tokens(s.text) + count_tokens(_label(s, names) or "") + 2 for s in segments]
    if sum(sizes) <= budget:
        return [list(segments)]
    vectors = embed([s.text for s in segments])
    pieces: list[list[Segment]] = []
    first = 0
    while first < len(segments):
        total, stop = 0, first
        while stop < len(segments) and (total + sizes[stop] <= budget or stop == first):
            total += sizes[stop]
            stop += 1
        if stop < len(segments):
            stop = _best_cut(segments, vectors, first, stop)
        pieces.append(list(segments[first:stop]))
        first = stop
    return pieces


def _best_cut(segments: Sequence[Segment], vectors: np.ndarray, first: int, stop: int) -> int:
    """The cut (index of the next piece's first segment) in the last 40 % of [first, stop]."""
    lowest = first + max(1, int(0.6 * (stop - first)))
    best, best_score = stop, -np.inf
    for cut in range(lowest, stop + 1):
        before = vectors[max(first, cut - WINDOW) : cut].mean(axis=0)
        after = vectors[cut : cut + WINDOW].mean(axis=0)
        norm = float(np.linalg.norm(before) * np.linalg.norm(after)) or 1.0
        shift = 1.0 - float(before @ after) / norm
        pause = max(0.0, segments[cut].start - segments[cut - 1].end)
        score = shift + PAUSE_BONUS_PER_SECOND * min(pause, 10.0)
        if score > best_score:
            best, best_score = cut, score
    return best


def quotable(segments: Sequence[Segment], min_words: int) -> list[str]:
    """The distinct segment texts long enough to be quoted as evidence (all of them if none is)."""
    texts = [s.text.strip() for s in segments if s.text.strip()]
    return list(dict.fromkeys(t for t in texts if len(t.split()) >= min_words)) or list(dict.fromkeys(texts))


def constrained_schema(
    model: type[BaseModel], quotes: list[str], owners: list[str] | None = None
) -> dict[str, Any]:
    """The JSON schema of `model` where every `quote` property must be one of `quotes` and, given
    `owners`, every `owner` property one of them or null. Double quotes and backslashes become
    spaces: llama.cpp's schema-to-grammar converter does not escape them in an enum (the grammar
    fails to parse), and quotes are compared without punctuation anyway."""
    schema = model.model_json_schema()
    allowed = _enum_values(quotes)
    who: dict[str, Any] = {"type": "null"}
    if owners:
        who = {"anyOf": [{"type": "string", "enum": _enum_values(owners)}, who]}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties", {})
            if "quote" in properties:
                properties["quote"] = {"type": "string", "enum": allowed}
            if "owner" in properties and owners is not None:
                properties["owner"] = who
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


def _enum_values(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(re.sub(r'["\\]', " ", t).split()) for t in texts))
