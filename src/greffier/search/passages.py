"""A meeting cut into the passages search finds: a few consecutive segments of its transcript (a new
passage at about `PASSAGE_WORDS` words, or at a long pause), each line of its minutes at the time of
the span it rests on, and its title."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from greffier.assist.types import speaker_names
from greffier.transcript import Segment, Transcript

PASSAGE_WORDS = 120
"""About 50 s of speech: ELITR-Bench recall@5 across the 10 dev meetings 0.794 merged (in fused order,
before `spread`), against 0.752 at 60 words (docs/search.md, Measured)."""
PAUSE_S = 8.0
"""A silence this long starts a new passage, whatever its size."""


@dataclass(frozen=True)
class Passage:
    kind: str
    """title, transcript or minutes"""
    text: str
    version: int | None = None
    segment_ids: tuple[int, ...] = ()
    start: float = 0.0
    end: float = 0.0
    speakers: tuple[str, ...] = ()
    """Speaker ids and their names."""

    @property
    def speaker_key(self) -> str:
        """`|id|name|…|`: what the speaker filter matches on."""
        return "|" + "".join(f"{s}|" for s in self.speakers) if self.speakers else ""


def _of_segments(segments: Sequence[Segment], version: int, names: dict[str, str]) -> Passage:
    ids = tuple(dict.fromkeys(s.speaker for s in segments if s.speaker))
    labels = tuple(dict.fromkeys(x for sp in ids for x in (sp, names.get(sp, sp))))
    return Passage(
        kind="transcript",
        text=" ".join(s.text.strip() for s in segments),
        version=version,
        segment_ids=tuple(s.id for s in segments),
        start=segments[0].start,
        end=segments[-1].end,
        speakers=labels,
    )


def transcript_passages(transcript: Transcript, version: int) -> list[Passage]:
    names = speaker_names(transcript)
    out: list[Passage] = []
    current: list[Segment] = []
    size = 0
    for s in transcript.segments:
        if not s.text.strip():
            continue
        if current and (size >= PASSAGE_WORDS or s.start - current[-1].end >= PAUSE_S):
            out.append(_of_segments(current, version, names))
            current, size = [], 0
        current.append(s)
        size += len(s.text.split())
    if current:
        out.append(_of_segments(current, version, names))
    return out


def minutes_passages(minutes: dict[str, Any], version: int) -> list[Passage]:
    """The summary, decisions, action items and open questions of minutes (their JSON), each at the
    time of its first span."""
    lines: list[tuple[str, list[dict[str, Any]]]] = []
    if minutes.get("summary"):
        lines.append((minutes["summary"], []))
    for key in ("decisions", "open_questions"):
        lines += [(p["text"], p.get("spans", [])) for p in minutes.get(key, [])]
    for a in minutes.get("action_items", []):
        owner = f"{a['owner']}: " if a.get("owner") else ""
        due = f" ({a['due']})" if a.get("due") else ""
        lines.append((f"{owner}{a['task']}{due}", a.get("spans", [])))
    out = []
    for text, spans in lines:
        first = spans[0] if spans else {}
        out.append(
            Passage(
                kind="minutes",
                text=text,
                version=version,
                segment_ids=tuple(first.get("segment_ids", ())),
                start=float(first.get("start", 0.0)),
                end=float(first.get("end", 0.0)),
                speakers=tuple(first.get("speakers", ())),
            )
        )
    return out


def title_passage(title: str) -> Passage:
    return Passage(kind="title", text=title)
