"""OpenAI-compatible `POST /v1/audio/transcriptions`, so existing OpenAI clients work unchanged.

The recording goes through the same queue as `/api/meetings`; the request waits for its job, answers
in the asked `response_format`, then erases the recording and its transcript (nothing is kept, as
with OpenAI's API). `model`, `prompt` and `temperature` are accepted and ignored: the server's model
answers.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel

from greffier import export
from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, UNSUPPORTED_MEDIA, ApiError
from greffier.api.uploads import create_meeting_from_upload
from greffier.app.meetings import check_language
from greffier.jobs.models import MeetingOptions
from greffier.store import meetings as store
from greffier.store.models import Job, JobState
from greffier.transcript import Transcript

router = APIRouter(prefix="/v1", tags=["openai"], responses=ERROR_RESPONSES)
FORMATS = ("json", "verbose_json", "text", "srt", "vtt")
GRANULARITIES = ("word", "segment")
_POLL_S = 0.2
_CANCELLED = ApiError(
    409, "cancelled", "the recording was deleted while it was being transcribed", "send it again"
)


class TranscriptionJSON(BaseModel):
    text: str


class VerboseWord(BaseModel):
    word: str
    start: float
    end: float


class VerboseSegment(BaseModel):
    id: int
    seek: int
    start: float
    end: float
    text: str
    tokens: list[int]
    temperature: float
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float


class TranscriptionVerboseJSON(BaseModel):
    task: Literal["transcribe"] = "transcribe"
    language: str
    duration: float
    text: str
    segments: list[VerboseSegment] | None = None
    words: list[VerboseWord] | None = None


def verbose_json(transcript: Transcript, granularities: list[str]) -> TranscriptionVerboseJSON:
    out = TranscriptionVerboseJSON(
        language=transcript.language, duration=transcript.duration, text=transcript.text
    )
    if "segment" in granularities:
        out.segments = [
            VerboseSegment(
                id=s.id,
                seek=0,
                start=s.start,
                end=s.end,
                text=s.text,
                tokens=[],
                temperature=0.0,
                avg_logprob=s.avg_logprob or 0.0,
                compression_ratio=0.0,
                no_speech_prob=s.no_speech_prob or 0.0,
            )
            for s in transcript.segments
        ]
    if "word" in granularities:
        out.words = [VerboseWord(word=w.text, start=w.start, end=w.end) for w in transcript.words]
    return out


def _bad(param: str, problem: str, fix: str) -> ApiError:
    return ApiError(400, "invalid_request_error", problem, fix, param=param)


async def _wait(services: Services, request: Request, job_id: uuid.UUID) -> Job | None:
    """The finished job, or None when the client went away first."""
    while True:
        with services.db.read() as session:
            job = session.get(Job, job_id)
        if job is None:
            raise _CANCELLED
        if job.state in (JobState.SUCCEEDED, JobState.FAILED):
            return job
        if await request.is_disconnected():
            return None
        await asyncio.sleep(_POLL_S)


def _transcript(services: Services, meeting_id: uuid.UUID) -> Transcript:
    with services.db.read() as session:
        row = store.get_version(session, meeting_id)
    if row is None:
        raise _CANCELLED
    return Transcript.from_dict(row.body)


@router.post(
    "/audio/transcriptions",
    summary="Transcribe a recording (OpenAI-compatible)",
    responses={
        200: {
            "model": TranscriptionJSON | TranscriptionVerboseJSON,
            "content": {"text/plain": {}},
            "description": "json, verbose_json, or text for text/srt/vtt",
        },
        400: ERROR_RESPONSES[422],
        **UNSUPPORTED_MEDIA,
    },
    response_model=None,
)
async def create_transcription(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="the recording")],
    model: Annotated[
        str, Form(max_length=200, description="accepted for compatibility; the server's model is used")
    ] = "whisper-1",
    language: Annotated[
        str | None, Form(max_length=20, description="ISO 639-1 code; default: detect")
    ] = None,
    prompt: Annotated[str | None, Form(max_length=10_000, description="accepted and ignored")] = None,
    response_format: Annotated[str, Form(max_length=40, description=" | ".join(FORMATS))] = "json",
    temperature: Annotated[float | None, Form(description="accepted and ignored")] = None,
    timestamp_granularities: Annotated[
        list[str] | None,
        Form(alias="timestamp_granularities[]", description="word and/or segment (verbose_json)"),
    ] = None,
) -> Response:
    if response_format not in FORMATS:
        raise _bad(
            "response_format",
            f"unknown response_format {response_format[:40]!r}",
            f"use one of {', '.join(FORMATS)}",
        )
    granularities = timestamp_granularities or ["segment"]
    unknown = [g for g in granularities if g not in GRANULARITIES]
    if unknown:
        raise _bad(
            "timestamp_granularities",
            f"unknown timestamp granularity {unknown[0][:20]!r}",
            "use word, segment, or both",
        )
    options = MeetingOptions(language=check_language(language))
    meeting, job = await create_meeting_from_upload(services, principal, file, title=None, options=options)
    try:
        finished = await _wait(services, request, job.id)
        if finished is None:
            return Response(status_code=499)
        if finished.state != JobState.SUCCEEDED:
            raise ApiError(
                422,
                "transcription_failed",
                f"the transcription failed: {finished.error}",
                "check the recording plays, then send it again",
            )
        transcript = await run_in_threadpool(_transcript, services, meeting.id)
    finally:
        await run_in_threadpool(
            store.delete_meeting, services.db, services.blobs, principal.organisation_id, meeting.id
        )
    return _render(transcript, response_format, granularities)


def _render(transcript: Transcript, response_format: str, granularities: list[str]) -> Response:
    body: Any
    if response_format == "json":
        body = TranscriptionJSON(text=transcript.text).model_dump()
    elif response_format == "verbose_json":
        body = verbose_json(transcript, granularities).model_dump(exclude_none=True)
    else:
        text = (
            transcript.text + "\n"
            if response_format == "text"
            else export.render(transcript, response_format)
        )
        return PlainTextResponse(str(text), media_type=export.MEDIA_TYPES.get(response_format, "text/plain"))
    return JSONResponse(body)
