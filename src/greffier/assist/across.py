"""A question asked across several meetings, answered from the passages search found in them.

The passages are shown to the model meeting by meeting, each under its title and date; the answer
is grounded as a per-meeting answer is (`qa.answer_from`: a quote of one of the shown segments, the
answer sharing its words), and names the meeting it rests on with its span. Otherwise, or when the
model says the passages do not answer, it is "not said in these meetings".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from greffier.assist.llm import LLM
from greffier.assist.qa import Source, answer_from, localized
from greffier.assist.types import Span
from greffier.config import Settings
from greffier.transcript import Segment, Transcript

NOT_SAID = {
    "fr": "Ce n'est pas dit dans ces réunions.",
    "en": "Not said in these meetings.",
}


@dataclass(frozen=True)
class Found:
    """What search found in one meeting: passages (consecutive segments) of one of its transcript versions."""

    meeting_id: uuid.UUID
    title: str
    created: datetime
    transcript: Transcript
    passages: tuple[tuple[Segment, ...], ...]


@dataclass(frozen=True)
class PassageFound:
    """A passage shown to the model, and the meeting it comes from."""

    meeting_id: uuid.UUID
    meeting_title: str
    text: str
    span: Span


@dataclass(frozen=True)
class AcrossAnswer:
    question: str
    answer: str
    found: bool
    language: str
    """Of the prompts and of the "not said" reply."""
    meeting_id: uuid.UUID | None = None
    """The meeting the answer rests on (None when not found)."""
    meeting_title: str | None = None
    spans: tuple[Span, ...] = ()
    """Where in that meeting: its segments, start and end, speakers."""
    quote: str | None = None
    llm: str | None = None
    notice: str | None = None
    passages: tuple[PassageFound, ...] = ()
    """The passages retrieved for the question (what the model read), best meeting first."""

    def to_dict(self) -> dict[str, Any]:
        return _ANSWER.dump_python(self, mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AcrossAnswer:
        return _ANSWER.validate_python(data)


def not_said(language: str) -> str:
    return localized(NOT_SAID, language)


def _heading(found: Found) -> str:
    return f"{found.title} ({found.created:%Y-%m-%d})"


def ask_across(
    question: str,
    found: Sequence[Found],
    settings: Settings,
    *,
    language: str | None = None,
    llm: LLM | None = None,
) -> AcrossAnswer:
    """Answer `question` from the passages of `found` (best meeting first), or say it was not said.
    `language` (default: that of the best meeting, else the settings', else French) is the one of
    the prompts and of the "not said" reply."""
    language = language or (found[0].transcript.language if found else None) or settings.language or "fr"
    passages = tuple(
        PassageFound(f.meeting_id, f.title, " ".join(s.text.strip() for s in p), Span.of(p))
        for f in found
        for p in f.passages
    )
    if not passages:
        return AcrossAnswer(question, not_said(language), found=False, language=language)
    sources = [Source(f.transcript, f.passages, _heading(f)) for f in found]
    grounded = answer_from(question, sources, language, settings, llm)
    where = found[grounded.source] if grounded.point is not None else None
    return AcrossAnswer(
        question,
        language=language,
        meeting_id=where.meeting_id if where else None,
        meeting_title=where.title if where else None,
        passages=passages,
        **grounded.fields(not_said(language), language),
    )


_ANSWER = TypeAdapter(AcrossAnswer)
