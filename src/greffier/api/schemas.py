"""The API's JSON shapes (pydantic at the edge; the ORM rows and the Transcript dataclasses inside)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal
from urllib.parse import quote

from fastapi import Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from greffier.app.meetings import MeetingSummary
from greffier.assist.types import Answer, Minutes
from greffier.edit import MAX_SEGMENT_CHARS
from greffier.errors import PublicText
from greffier.jobs.models import MeetingOptions

JobStateName = Literal["queued", "running", "succeeded", "failed"]
MeetingStatusName = Literal["queued", "running", "done", "failed"]


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    meeting_id: uuid.UUID | None = Field(
        description="null for a job about no single meeting (a dataset export)"
    )
    kind: str = Field(description="task type, e.g. transcribe, dataset_export")
    state: JobStateName
    stage: str | None = Field(description="current stage: asr, diarize…")
    progress: float = Field(ge=0, le=1)
    error: PublicText | None = Field(description="why it failed (no server path)")
    attempts: int = Field(description="tries so far (a try is repeated when its worker was lost)")
    max_attempts: int
    created: datetime
    started: datetime | None
    finished: datetime | None


class MeetingOut(BaseModel):
    id: uuid.UUID
    title: str
    created: datetime
    language: str | None = Field(description="asked, or detected once transcribed")
    options: MeetingOptions
    status: MeetingStatusName
    filename: str
    audio_bytes: int
    duration: float | None
    transcript_version: int | None = Field(description="latest transcript version; null until transcribed")
    job: JobOut | None = Field(description="the latest transcription job of this meeting")

    @classmethod
    def build(cls, summary: MeetingSummary) -> MeetingOut:
        meeting, job, version = summary.meeting, summary.job, summary.version
        return cls(
            id=meeting.id,
            title=meeting.title,
            created=meeting.created,
            language=meeting.language,
            options=MeetingOptions.model_validate(meeting.options),
            status=meeting.status,  # type: ignore[arg-type]
            filename=meeting.filename,
            audio_bytes=meeting.audio_bytes,
            duration=meeting.duration,
            transcript_version=version,
            job=JobOut.model_validate(job) if job else None,
        )


class MeetingPageOut(BaseModel):
    items: list[MeetingOut]
    total: int = Field(description="meetings matching the filters")
    limit: int
    offset: int


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    created: datetime
    author: str = Field(description="the task that produced it, or the e-mail of who saved it")
    job_id: uuid.UUID | None


class SegmentEditIn(BaseModel):
    id: StrictInt = Field(ge=0, le=2**31 - 1, description="the segment's id")
    text: str | None = Field(
        None, max_length=MAX_SEGMENT_CHARS, description="corrected text; empty removes the segment"
    )
    speaker: str | None = Field(None, max_length=200, description="the id of the speaker who said it")


class TranscriptEditsIn(BaseModel):
    speakers: dict[str, str] = Field(
        default_factory=dict, max_length=100, description="speaker id -> new name"
    )
    segments: list[SegmentEditIn] = Field(default_factory=list, max_length=10_000)


MAX_QUESTION_CHARS = 500


class QuestionIn(BaseModel):
    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="a question about what was said"
    )


class QuestionOut(BaseModel):
    id: uuid.UUID = Field(description="the question's id (that of the job answering it)")
    question: str
    transcript_version: int = Field(description="the transcript version the answer is read from")
    created: datetime
    job: JobOut
    answer: Answer | None = Field(
        description="null until the job has succeeded; `found` false: not said in this meeting"
    )


class MinutesOut(BaseModel):
    transcript_version: int = Field(description="the transcript version the minutes were written from")
    latest_version: int = Field(
        description="the transcript's latest version: when larger, the minutes predate corrections"
    )
    created: datetime = Field(description="when they were written")
    job_id: uuid.UUID = Field(description="the job that wrote them")
    job: JobOut = Field(description="the meeting's latest minutes job (it may be writing newer ones)")
    minutes: Minutes = Field(
        description="title, summary, topics, decisions, action items, open questions (or key passages "
        "without a model), each claim with its transcript spans; grounding: what was checked and dropped"
    )


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    database: str
    queue: str
    problems: list[PublicText]


def json_response(model: BaseModel) -> Response:
    """Serialised once, here (FastAPI would validate a returned model a second time)."""
    return Response(model.model_dump_json(), media_type="application/json")


def attachment(title: str, extension: str) -> str:
    """A Content-Disposition: an ASCII file name for old clients, the exact one (RFC 6266 `filename*`)
    for the others."""
    ascii_stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in title)[:80]
    exact = quote(f"{title[:80]}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_stem or 'transcript'}.{extension}\"; filename*=UTF-8''{exact}"
