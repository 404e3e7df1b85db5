"""/api/meetings: upload, list, read, delete; the transcript, its versions and its exports."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from greffier import edit, export
from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, UNSUPPORTED_MEDIA
from greffier.api.schemas import (
    MeetingOut,
    MeetingPageOut,
    TranscriptEditsIn,
    VersionOut,
    attachment,
    json_response,
)
from greffier.api.uploads import create_meeting_from_upload
from greffier.app import meetings, transcripts
from greffier.app.meetings import check_language, clean_filename
from greffier.jobs.models import MeetingOptions
from greffier.store.models import TranscriptVersion
from greffier.transcript import Transcript

router = APIRouter(prefix="/api/meetings", tags=["meetings"], responses=ERROR_RESPONSES)
ExportFormat = StrEnum("ExportFormat", {name: name for name in export.FORMATS})
VersionQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="a version number; default: the latest")
]


@router.post(
    "",
    status_code=202,
    summary="Upload a recording: creates a meeting and its transcription job",
    responses=UNSUPPORTED_MEDIA,
)
async def create_meeting(
    services: ServicesDep,
    principal: PrincipalDep,
    response: Response,
    file: Annotated[UploadFile, File(description="the recording (any common audio or video format)")],
    title: Annotated[str | None, Form(max_length=500, description="default: the file name")] = None,
    language: Annotated[
        str | None, Form(max_length=20, description="ISO 639-1 code; default: detect")
    ] = None,
    diarize: Annotated[bool, Form(description="find who speaks when")] = False,
    speakers: Annotated[
        int | None, Form(ge=1, le=32, description="exact number of speakers (implies diarize)")
    ] = None,
    identify: Annotated[
        bool, Form(description="name the speakers after the organisation's people (implies diarize)")
    ] = False,
) -> MeetingOut:
    options = MeetingOptions(
        language=check_language(language),
        diarize=diarize or identify or speakers is not None,
        speakers=speakers,
        identify=identify,
    )
    clean_title = clean_filename(title) if title and title.strip() else None
    meeting, job = await create_meeting_from_upload(
        services, principal, file, title=clean_title, options=options
    )
    response.headers["Location"] = f"/api/meetings/{meeting.id}"
    return MeetingOut.build(meetings.MeetingSummary(meeting, job, None))


def _iso_8601(value: Any) -> Any:
    """A date-time as the schema says (an ISO 8601 string), not a Unix time that pydantic would also take."""
    if not isinstance(value, str):
        raise ValueError("give an ISO 8601 date-time string, e.g. 2026-01-31T09:00:00Z")
    return datetime.fromisoformat(value)


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_8601)]


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


@router.get("", summary="List meetings, newest first", response_model=MeetingPageOut)
def list_meetings(
    services: ServicesDep,
    principal: PrincipalDep,
    title: Annotated[str | None, Query(max_length=200, description="part of the title, any case")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=200, description="words found in the title or the transcript (any case, any accents)"
        ),
    ] = None,
    created_from: Annotated[
        IsoDatetime | None, Query(description="created at or after (ISO 8601; UTC if no zone)")
    ] = None,
    created_to: Annotated[
        IsoDatetime | None, Query(description="created before (ISO 8601; UTC if no zone)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    items, total = meetings.list_meetings(
        services,
        principal,
        title=title,
        text=q,
        created_from=_utc(created_from),
        created_to=_utc(created_to),
        limit=limit,
        offset=offset,
    )
    page = MeetingPageOut(
        items=[MeetingOut.build(item) for item in items], total=total, limit=limit, offset=offset
    )
    return json_response(page)


@router.get("/{meeting_id}", summary="A meeting, with its latest job", response_model=MeetingOut)
def get_meeting(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    meeting = meetings.load_meeting(services, principal, meeting_id)
    return json_response(MeetingOut.build(meetings.summarise(services, [meeting])[0]))


@router.delete(
    "/{meeting_id}", status_code=204, summary="Erase a meeting: audio, transcripts, versions, jobs"
)
def delete_meeting(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    meetings.delete_meeting(services, principal, meeting_id)
    return Response(status_code=204)


_TRANSCRIPT_SCHEMA = {"$ref": "#/components/schemas/Transcript"}


@router.get(
    "/{meeting_id}/transcript",
    summary="The transcript (latest version, or ?version=N); its version is in the ETag header",
    responses={
        200: {"model": Transcript, "description": "the transcript JSON"},
        409: {"description": "not transcribed yet, or the transcription failed"},
    },
)
def get_transcript(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, version: VersionQuery = None
) -> Response:
    _, row = meetings.load_version(services, principal, meeting_id, version)
    return _transcript_response(row)


def _transcript_response(row: TranscriptVersion) -> Response:
    return Response(
        json.dumps(row.body, ensure_ascii=False),
        media_type="application/json",
        headers={"ETag": f'"{row.version}"'},
    )


IfMatchHeader = Annotated[
    str | None, Header(description='the ETag you edited (e.g. "1"): refuses lost updates')
]


@router.put(
    "/{meeting_id}/transcript",
    summary="Save a corrected transcript as a new version (previous versions are kept)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _TRANSCRIPT_SCHEMA}}}
    },
    responses={412: {"description": "If-Match names a version that is no longer the latest"}},
)
async def put_transcript(
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    meeting_id: uuid.UUID,
    if_match: IfMatchHeader = None,
) -> VersionOut:
    transcript = transcripts.read_transcript(await request.body())
    row = await run_in_threadpool(
        transcripts.save_transcript, services, principal, meeting_id, transcript, if_match
    )
    return VersionOut.model_validate(row)


@router.patch(
    "/{meeting_id}/transcript",
    summary="Correct segment texts, segment speakers and speaker names: saved as a new version",
    responses={
        200: {"model": Transcript, "description": "the new transcript; its version is in the ETag"},
        412: {"description": "If-Match names a version that is no longer the latest"},
    },
)
def patch_transcript(
    services: ServicesDep,
    principal: PrincipalDep,
    meeting_id: uuid.UUID,
    edits: TranscriptEditsIn,
    if_match: IfMatchHeader = None,
) -> Response:
    row = transcripts.correct_transcript(
        services,
        principal,
        meeting_id,
        [edit.SegmentEdit(s.id, s.text, s.speaker) for s in edits.segments],
        edits.speakers,
        if_match,
    )
    return _transcript_response(row)


@router.get("/{meeting_id}/transcript/versions", summary="Every version of the transcript, oldest first")
def list_versions(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> list[VersionOut]:
    return [VersionOut.model_validate(row) for row in meetings.list_versions(services, principal, meeting_id)]


@router.get(
    "/{meeting_id}/exports/{fmt}",
    summary="The transcript as a file: " + ", ".join(export.FORMATS),
    responses={
        200: {
            "content": {media: {} for media in sorted(set(export.MEDIA_TYPES.values()))},
            "description": "the file",
        }
    },
)
def get_export(
    services: ServicesDep,
    principal: PrincipalDep,
    meeting_id: uuid.UUID,
    fmt: ExportFormat,
    version: VersionQuery = None,
) -> Response:
    file = transcripts.export_transcript(services, principal, meeting_id, fmt.value, version)
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": attachment(file.meeting.title, fmt.value),
            "ETag": f'"{file.version}"',
        },
    )
