"""/api/meetings: upload, list, read, delete; the transcript, its versions and its exports."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import BeforeValidator

from greffier import edit, export
from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, UNSUPPORTED_MEDIA, ApiError, not_found
from greffier.api.schemas import (
    MeetingOptions,
    MeetingOut,
    MeetingPageOut,
    TranscriptEditsIn,
    VersionOut,
    json_response,
)
from greffier.api.uploads import clean_filename, create_meeting_from_upload
from greffier.asr import LANGUAGES
from greffier.store import meetings as store
from greffier.store.accounts import Principal
from greffier.store.models import JobState, Meeting, TranscriptVersion
from greffier.transcript import InvalidTranscript, Transcript

router = APIRouter(prefix="/api/meetings", tags=["meetings"], responses=ERROR_RESPONSES)
ExportFormat = StrEnum("ExportFormat", {name: name for name in export.FORMATS})
VersionQuery = Annotated[
    int | None, Query(ge=1, le=2**31 - 1, description="a version number; default: the latest")
]
_LIST_FIX = "list your meetings with GET /api/meetings"


def check_language(language: str | None) -> str | None:
    if not language:
        return None
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise ApiError(
            422,
            "invalid_request_error",
            f"unknown language {language[:20]!r}",
            "use an ISO 639-1 code such as fr, en, de, es, or leave it out to detect the language",
            param="language",
        )
    return code


def _meetings_out(services: Services, meetings: list[Meeting]) -> list[MeetingOut]:
    with services.db.read() as session:
        summaries = store.summaries(session, [meeting.id for meeting in meetings])
    return [MeetingOut.build(meeting, *summaries[meeting.id]) for meeting in meetings]


def load_meeting(services: Services, principal: Principal, meeting_id: uuid.UUID) -> Meeting:
    with services.db.read() as session:
        meeting = store.get_meeting(session, principal.organisation_id, meeting_id)
    if meeting is None:
        raise not_found("meeting", meeting_id, _LIST_FIX)
    return meeting


def load_version(
    services: Services, principal: Principal, meeting_id: uuid.UUID, version: int | None
) -> TranscriptVersion:
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        row = store.get_version(session, meeting.id, version)
        job = store.latest_job(session, meeting.id) if row is None else None
    if row is not None:
        return row
    if version is not None:
        raise ApiError(
            404,
            "not_found",
            f"meeting {meeting_id} has no transcript version {version}",
            f"list its versions with GET /api/meetings/{meeting_id}/transcript/versions",
        )
    if job is not None and job.state == JobState.FAILED:
        raise ApiError(
            409,
            "transcription_failed",
            f"the transcription failed: {job.error}",
            "fix the cause, then upload the recording again",
        )
    state = f"{job.state}, {job.progress:.0%} done" if job else "no job"
    raise ApiError(
        409,
        "not_ready",
        f"the transcript is not ready yet ({state})",
        f"poll GET /api/jobs/{job.id if job else '…'} until its state is 'succeeded'",
    )


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
) -> MeetingOut:
    options = MeetingOptions(
        language=check_language(language), diarize=diarize or speakers is not None, speakers=speakers
    )
    clean_title = clean_filename(title) if title and title.strip() else None
    meeting, job = await create_meeting_from_upload(
        services, principal, file, title=clean_title, options=options
    )
    response.headers["Location"] = f"/api/meetings/{meeting.id}"
    return MeetingOut.build(meeting, job, None)


def _iso_8601(value: Any) -> Any:
    """A date-time as the schema says (ISO 8601), not a Unix time that pydantic would also take."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


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
    needle = clean_filename(title) if title and title.strip() else None
    with services.db.read() as session:
        page = store.list_meetings(
            session,
            principal.organisation_id,
            title=needle,
            text=q,
            created_from=_utc(created_from),
            created_to=_utc(created_to),
            limit=limit,
            offset=offset,
        )
    page_out = MeetingPageOut(
        items=_meetings_out(services, page.items), total=page.total, limit=limit, offset=offset
    )
    return json_response(page_out)


@router.get("/{meeting_id}", summary="A meeting, with its latest job", response_model=MeetingOut)
def get_meeting(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    return json_response(_meetings_out(services, [load_meeting(services, principal, meeting_id)])[0])


@router.delete(
    "/{meeting_id}", status_code=204, summary="Erase a meeting: audio, transcripts, versions, jobs"
)
def delete_meeting(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    if not store.delete_meeting(services.db, services.blobs, principal.organisation_id, meeting_id):
        raise not_found("meeting", meeting_id, _LIST_FIX)
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
    row = load_version(services, principal, meeting_id, version)
    return Response(
        json.dumps(row.body, ensure_ascii=False),
        media_type="application/json",
        headers={"ETag": f'"{row.version}"'},
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def _control_character(value: Any, path: str = "top level") -> str | None:
    """Where a string holds a character no export can carry (XML, subtitles), if anywhere."""
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and _CONTROL.search(key):
            return f"{path}: a key"
        found = _control_character(item, str(key) if path == "top level" else f"{path}.{key}")
        if found is not None:
            return found
    return None


async def _transcript_body(request: Request) -> Transcript:
    raw = await request.body()
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
        json.dumps(data, ensure_ascii=False).encode()  # lone surrogates (\ud800) cannot be stored
    except (ValueError, UnicodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise ApiError(
            400,
            "invalid_json",
            f"the body is not valid JSON ({reason})",
            "send the transcript as JSON, as returned by GET …/transcript",
        ) from None
    if not isinstance(data, dict):
        raise ApiError(
            422,
            "invalid_request_error",
            "the body must be a JSON object (a transcript)",
            "send the document returned by GET …/transcript, edited",
        )
    try:
        transcript = Transcript.from_dict(data, sent=True)
    except InvalidTranscript as exc:
        raise ApiError(
            422,
            "invalid_transcript",
            str(exc),
            "keep the structure returned by GET …/transcript; change texts, times and speaker names",
            param=exc.where,
        ) from None
    where = _control_character(transcript.to_dict())  # what is stored: as deep as pydantic allows
    if where is not None:
        raise ApiError(
            422,
            "invalid_transcript",
            f"the transcript holds a control character at {where}",
            "remove it: a transcript holds printable text only (tabs and new lines are fine)",
        )
    return transcript


IfMatchHeader = Annotated[
    str | None, Header(description='the ETag you edited (e.g. "1"): refuses lost updates')
]


def _conflict(latest: int, given: str) -> ApiError:
    return ApiError(
        412,
        "version_conflict",
        f"the transcript is now at version {latest}, not {given[:20]}",
        "GET it again, re-apply your changes, and send them with the new ETag",
    )


def _check_if_match(current: TranscriptVersion, if_match: str | None) -> None:
    if if_match is not None and if_match.strip().strip('"') != str(current.version):
        raise _conflict(current.version, if_match)


def _save(
    services: Services,
    principal: Principal,
    meeting_id: uuid.UUID,
    transcript: Transcript,
    current: TranscriptVersion,
    if_match: str | None,
) -> TranscriptVersion:
    """A new version; with If-Match, only if `current` is still the latest when it is written."""
    try:
        row = store.add_version(
            services.db,
            meeting_id,
            transcript.to_dict(),
            author=principal.email,
            after=current.version if if_match is not None else None,
        )
    except store.VersionConflict as exc:
        raise _conflict(exc.latest, if_match or "") from None
    if row is None:
        raise not_found("meeting", meeting_id, _LIST_FIX)
    return row


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
    transcript = await _transcript_body(request)
    current = await run_in_threadpool(load_version, services, principal, meeting_id, None)
    _check_if_match(current, if_match)
    row = await run_in_threadpool(_save, services, principal, meeting_id, transcript, current, if_match)
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
    current = load_version(services, principal, meeting_id, None)
    _check_if_match(current, if_match)
    try:
        corrected = edit.apply_edits(
            Transcript.from_dict(current.body),
            [edit.SegmentEdit(s.id, s.text, s.speaker) for s in edits.segments],
            edits.speakers,
        )
    except edit.EditError as exc:
        raise ApiError(422, "invalid_edit", exc.problem, exc.fix) from None
    row = _save(services, principal, meeting_id, corrected, current, if_match)
    return Response(
        json.dumps(row.body, ensure_ascii=False),
        media_type="application/json",
        headers={"ETag": f'"{row.version}"'},
    )


@router.get("/{meeting_id}/transcript/versions", summary="Every version of the transcript, oldest first")
def list_versions(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> list[VersionOut]:
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        return [VersionOut.model_validate(row) for row in store.list_versions(session, meeting.id)]


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
    row = load_version(services, principal, meeting_id, version)
    meeting = load_meeting(services, principal, meeting_id)
    content = export.render(Transcript.from_dict(row.body), fmt.value)
    return Response(
        content,
        media_type=export.MEDIA_TYPES[fmt.value],
        headers={"Content-Disposition": _attachment(meeting.title, fmt.value), "ETag": f'"{row.version}"'},
    )


def _attachment(title: str, extension: str) -> str:
    """An ASCII file name for old clients, the exact one (RFC 6266 `filename*`) for the others."""
    ascii_stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in title)[:80]
    exact = quote(f"{title[:80]}.{extension}", safe="")
    return f"attachment; filename=\"{ascii_stem or 'transcript'}.{extension}\"; filename*=UTF-8''{exact}"
