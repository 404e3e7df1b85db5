"""What the meeting assistant produces: minutes and answers, each claim pointing back into the transcript.

Frozen dataclasses inside; `Minutes.to_dict` / `from_dict` and `Answer.to_dict` are the JSON edge
(validated by pydantic, as `Transcript` is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from greffier.transcript import Segment, TimeSpan, Transcript, keys_in_order


@dataclass(frozen=True)
class Span(TimeSpan):
    """Consecutive transcript segments a claim rests on, from the first one's start to the last one's end."""

    segment_ids: tuple[int, ...]
    speakers: tuple[str, ...]

    _wire = keys_in_order("segment_ids", "start", "end", "speakers")

    @classmethod
    def of(cls, segments: Sequence[Segment]) -> Span:
        ordered = sorted(segments, key=lambda s: s.id)
        speakers = tuple(dict.fromkeys(s.speaker for s in ordered if s.speaker))
        return cls(
            segment_ids=tuple(s.id for s in ordered),
            start=min(s.start for s in ordered),
            end=max(s.end for s in ordered),
            speakers=speakers,
        )


@dataclass(frozen=True)
class Point:
    """A decision or an open question, with the words of the transcript that support it."""

    text: str
    quote: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class ActionItem:
    task: str
    owner: str | None
    due: str | None
    quote: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Topic(TimeSpan):
    title: str
    segment_ids: tuple[int, ...]

    _wire = keys_in_order("title", "start", "end", "segment_ids")


@dataclass(frozen=True)
class Passage:
    """A key passage quoted from the transcript (the extractive summary)."""

    text: str
    span: Span


@dataclass(frozen=True)
class Rejected:
    """A claim the model proposed that its transcript span does not support (never shown as fact)."""

    kind: str
    text: str
    reason: str


@dataclass(frozen=True)
class GroundingReport:
    proposed: int = 0
    kept: int = 0
    rejected: tuple[Rejected, ...] = ()

    @property
    def dropped(self) -> int:
        return len(self.rejected)

    @property
    def rate(self) -> float | None:
        """Share of proposed items kept (None when nothing was proposed)."""
        return self.kept / self.proposed if self.proposed else None

    def reasons(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.rejected:
            counts[r.reason] = counts.get(r.reason, 0) + 1
        return counts


@dataclass(frozen=True)
class Minutes:
    language: str
    title: str
    summary: str
    topics: tuple[Topic, ...] = ()
    decisions: tuple[Point, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    open_questions: tuple[Point, ...] = ()
    key_passages: tuple[Passage, ...] = ()
    grounding: GroundingReport = GroundingReport()
    llm: str | None = None
    """The model that wrote them; None for the extractive fallback."""
    notice: str | None = None
    """Why something is missing (no LLM, a failed chunk), in words for people."""
    source: str | None = None
    duration: float = 0.0
    speakers: dict[str, str] = field(default_factory=dict)
    """Speaker id (as in the spans) -> the name to show."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Timings per stage and token counts."""

    def to_dict(self) -> dict[str, Any]:
        data = _MINUTES.dump_python(self)
        data["grounding"]["dropped_by_reason"] = self.grounding.reasons()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Minutes:
        payload = dict(data)
        payload["grounding"] = {
            k: v for k, v in data.get("grounding", {}).items() if k != "dropped_by_reason"
        }
        return _MINUTES.validate_python(payload)


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    found: bool
    spans: tuple[Span, ...] = ()
    quote: str | None = None
    llm: str | None = None
    notice: str | None = None
    passages: tuple[Passage, ...] = ()
    """The passages retrieved for the question (what the model read)."""

    def to_dict(self) -> dict[str, Any]:
        return _ANSWER.dump_python(self)


def speaker_names(transcript: Transcript) -> dict[str, str]:
    """Speaker id -> the name shown to people and to the model."""
    names = {sp.id: sp.display_name for sp in transcript.speakers}
    for s in transcript.segments:
        if s.speaker and s.speaker not in names:
            names[s.speaker] = s.speaker
    return names


_MINUTES = TypeAdapter(Minutes)
_ANSWER = TypeAdapter(Answer)
