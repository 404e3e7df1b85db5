"""The JSON shapes of people (`api/routers/people.py`): metadata only, a voiceprint never leaves."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from greffier.people.model import PersonInfo

_TEXT = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
"""Printable, and not only spaces (surrounding spaces are dropped by `app.people`)."""
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_TEXT)]
Who = Annotated[str, StringConstraints(min_length=1, max_length=320, pattern=_TEXT)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]


class SpeakerEnrolmentIn(BaseModel):
    """Remember the voice of a meeting's speaker as this person's, with their explicit consent."""

    speaker: str = Field(max_length=64, description="the speaker id in the transcript: SPEAKER_01")
    name: Name = Field(description="the person's name; a known name gets one more print")
    email: Email | None = None
    consent_by: Who = Field(description="who gave the explicit consent: the person, or their DPO (required)")
    consent_at: datetime | None = Field(None, description="when it was given (ISO 8601); default: now")


class ConsentOut(BaseModel):
    given_by: str
    given_at: datetime
    recorded_by: str


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str | None
    prints: int = Field(description="how many voiceprints are kept (never the prints themselves)")
    consent: ConsentOut
    created: datetime

    @classmethod
    def build(cls, person: PersonInfo) -> PersonOut:
        consent = ConsentOut(
            given_by=person.consent.given_by,
            given_at=person.consent.given_at,
            recorded_by=person.consent.recorded_by,
        )
        return cls(
            id=uuid.UUID(person.id),
            name=person.name,
            email=person.email,
            prints=person.prints,
            consent=consent,
            created=person.created,
        )
