"""Meetings: upload a recording (a meeting and its transcription job), find, list and erase them, and
read a transcript version. An uploaded file goes into the blob store under a key made of ids (the
client's file name is only kept as a label), is probed, renamed after the format its decoder found
(`audio.wav`, `audio.mp3`…), and the meeting and its job are committed before the job is queued."""

from __future__ import annotations

import logging
import os
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

from sqlalchemy.exc import SQLAlchemyError

from greffier.app.backends import Backends, submit
from greffier.app.recordings import RecordingFormat, recording_format, stored_format
from greffier.asr import LANGUAGES
from greffier.audio import probe
from greffier.errors import AudioError, Invalid, NotFound, NotReady, Unreadable, Unsupported
from greffier.jobs.models import MeetingOptions, TranscribeJob
from greffier.jobs.registry import create_job
from greffier.search.indexer import index_quietly
from greffier.store import meetings as store
from greffier.store.accounts import Principal
from greffier.store.models import Job, JobState, Meeting, MeetingStatus, TranscriptVersion, utcnow
from greffier.store.search import fold
from greffier.transcript import Transcript

log = logging.getLogger("greffier.app")
LIST_FIX = "list your meetings with GET /api/meetings"
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


@dataclass(frozen=True)
class MeetingSummary:
    meeting: Meeting
    job: Job | None
    """Its latest transcription job."""
    version: int | None
    """Its latest transcript version; None until transcribed."""


def check_language(language: str | None) -> str | None:
    """The ISO 639-1 code (any case in, lower case out) if the recogniser knows it; None: detect it."""
    if not language:
        return None
    code = language.strip().lower()
    if code not in LANGUAGES:
        raise Invalid(
            f"unknown language {language[:20]!r}",
            "use an ISO 639-1 code such as fr, en, de, es, or leave it out to detect the language",
            param="language",
        )
    return code


def clean_filename(name: str | None) -> str:
    """A display label: the last path component, without control characters, at most 200 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "recording"


def create_meeting(
    backends: Backends,
    principal: Principal,
    source: BinaryIO,
    filename: str | None,
    *,
    title: str | None,
    options: MeetingOptions,
) -> tuple[Meeting, Job]:
    """A meeting of the recording read from `source`, and its queued transcription job."""
    label = clean_filename(filename)
    meeting_id = uuid.uuid4()
    prefix = store.meeting_prefix(principal.organisation_id, meeting_id)
    suffix = PurePosixPath(label).suffix.lower()  # only a hint for the decoder's probe
    incoming = f"{prefix}/upload{suffix if _SUFFIX.fullmatch(suffix) else ''}"
    size = backends.blobs.put(incoming, source)
    try:
        if size == 0:
            raise Unreadable(
                f"the uploaded file {label!r} is empty (0 bytes)",
                "the upload was probably cut: send the file again",
                kind="empty_file",
                param="file",
            )
        path = backends.blobs.path(incoming)
        try:
            info = probe(path)
        except AudioError as exc:
            raise Unsupported(exc.problem.replace(str(path), repr(label)), exc.fix, param="file") from None
        key = f"{prefix}/audio{recording_format(info.container).suffix}"
        os.replace(path, backends.blobs.path(key))
        title = (title or PurePosixPath(label).stem or label)[:500]
        meeting = Meeting(
            id=meeting_id,
            organisation_id=principal.organisation_id,
            created_by=principal.user_id,
            title=title,
            created=utcnow(),
            language=options.language,
            options=options.model_dump(),
            status=MeetingStatus.QUEUED,
            filename=label,
            audio_key=key,
            audio_bytes=size,
            duration=info.duration or None,
            search_text=fold(title),
        )
        job = _commit(backends, meeting, TranscribeJob(**options.model_dump()))
    except BaseException:
        backends.blobs.delete_prefix(prefix)
        raise
    submit(backends, job)
    return meeting, job


def _commit(backends: Backends, meeting: Meeting, job: TranscribeJob) -> Job:
    with backends.db.write() as session:
        session.add(meeting)
        session.flush()
        return create_job(
            session,
            backends.settings,
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            job=job,
        )


@dataclass(frozen=True)
class LiveRecording:
    """A live stream, ended: what it is saved as."""

    title: str
    language: str | None
    """The language asked for (None: detected); the transcript says the one heard."""
    transcript: Transcript
    wav: Path
    options: dict[str, Any]
    """Kept with the meeting besides the stream's own (e.g. `{"call": True}`)."""


def save_live_meeting(
    backends: Backends,
    principal: Principal,
    live: LiveRecording,
    files: Callable[[uuid.UUID], dict[str, bytes]],
) -> uuid.UUID | None:
    """The stream's audio into the blob store, with the `files` made for the new meeting's id, a
    meeting (done) and its first transcript version; None, and nothing left, when they cannot be
    stored (logged)."""
    meeting_id = uuid.uuid4()
    prefix = store.meeting_prefix(principal.organisation_id, meeting_id)
    key = f"{prefix}/audio.wav"
    try:
        with open(live.wav, "rb") as audio:
            size = backends.blobs.put(key, audio)
        for name, data in files(meeting_id).items():
            backends.blobs.put_bytes(f"{prefix}/{name}", data)
        with backends.db.write() as session:
            session.add(
                Meeting(
                    id=meeting_id,
                    organisation_id=principal.organisation_id,
                    created_by=principal.user_id,
                    title=live.title[:500],
                    created=utcnow(),
                    language=live.transcript.language,
                    options=MeetingOptions(language=live.language).model_dump()
                    | {"live": True}
                    | live.options,
                    status=MeetingStatus.DONE,
                    filename="live.wav",
                    audio_key=key,
                    audio_bytes=size,
                    duration=live.transcript.duration,
                )
            )
        store.add_version(backends.db, meeting_id, live.transcript.to_dict(), author=principal.email)
    except (OSError, SQLAlchemyError):
        log.exception("live stream of %s not saved", principal.email)
        if not store.delete_meeting(backends.db, backends.blobs, principal.organisation_id, meeting_id):
            backends.blobs.delete_prefix(prefix)
        return None
    index_quietly(backends.db, backends.blobs, backends.settings, meeting_id)
    return meeting_id


def summarise(backends: Backends, meetings: list[Meeting]) -> list[MeetingSummary]:
    with backends.db.read() as session:
        summaries = store.summaries(session, [meeting.id for meeting in meetings])
    return [MeetingSummary(meeting, *summaries[meeting.id]) for meeting in meetings]


def list_meetings(
    backends: Backends,
    principal: Principal,
    *,
    title: str | None,
    text: str | None,
    created_from: datetime | None,
    created_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[MeetingSummary], int]:
    """A page of the organisation's meetings, newest first, and how many match in all."""
    with backends.db.read() as session:
        page = store.list_meetings(
            session,
            principal.organisation_id,
            title=clean_filename(title) if title and title.strip() else None,
            text=text,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            offset=offset,
        )
    return summarise(backends, page.items), page.total


def load_meeting(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> Meeting:
    with backends.db.read() as session:
        meeting = store.get_meeting(session, principal.organisation_id, meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id} in your organisation", LIST_FIX)
    return meeting


def recording(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, Path, RecordingFormat]:
    """The meeting's stored recording and the format its decoder finds in it."""
    meeting = load_meeting(backends, principal, meeting_id)
    path = backends.blobs.path(meeting.audio_key)
    if not path.is_file():
        raise NotFound(
            f"the recording of meeting {meeting_id} is missing from the blob store",
            "check GREFFIER_BLOB_DIR points at the shared folder, or upload the recording again",
        )
    return meeting, path, stored_format(path)


def delete_meeting(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> None:
    """Erase the meeting and all that came from it (`store.meetings.delete_meeting`)."""
    if not store.delete_meeting(backends.db, backends.blobs, principal.organisation_id, meeting_id):
        raise NotFound(f"no meeting {meeting_id} in your organisation", LIST_FIX)


def load_version(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, version: int | None = None
) -> tuple[Meeting, TranscriptVersion]:
    """The meeting and its transcript version `version` (default: the latest); `NotReady` while
    the meeting is not transcribed, or when its transcription failed."""
    meeting = load_meeting(backends, principal, meeting_id)
    with backends.db.read() as session:
        row = store.get_version(session, meeting.id, version)
        job = store.latest_job(session, meeting.id) if row is None else None
    if row is not None:
        return meeting, row
    if version is not None:
        raise NotFound(
            f"meeting {meeting_id} has no transcript version {version}",
            f"list its versions with GET /api/meetings/{meeting_id}/transcript/versions",
        )
    if job is not None and job.state == JobState.FAILED:
        raise NotReady(
            f"the transcription failed: {job.error}",
            "fix the cause, then upload the recording again",
            kind="transcription_failed",
        )
    state = f"{job.state}, {job.progress:.0%} done" if job else "no job"
    raise NotReady(
        f"the transcript is not ready yet ({state})",
        f"poll GET /api/jobs/{job.id if job else '…'} until its state is 'succeeded'",
    )


def list_versions(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> list[TranscriptVersion]:
    meeting = load_meeting(backends, principal, meeting_id)
    with backends.db.read() as session:
        return store.list_versions(session, meeting.id)
