"""An uploaded recording becomes a meeting and a transcription job: the file goes into the blob
store under a key made of ids (the client's filename is only kept as a label), is probed, renamed
after the format its decoder found (`audio.wav`, `audio.mp3`…), and the meeting and its job are
committed before the job is queued."""

from __future__ import annotations

import os
import re
import unicodedata
import uuid
from pathlib import PurePosixPath, PureWindowsPath

from fastapi import UploadFile
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import update

from greffier.api.deps import Services
from greffier.api.errors import ApiError
from greffier.api.recordings import recording_format
from greffier.api.schemas import MeetingOptions
from greffier.audio import probe
from greffier.errors import AudioError
from greffier.jobs.models import TranscribeJob
from greffier.jobs.queue import BrokerError
from greffier.jobs.registry import create_job
from greffier.store.accounts import Principal
from greffier.store.meetings import meeting_prefix
from greffier.store.models import Job, JobState, Meeting, MeetingStatus, utcnow
from greffier.store.search import fold

_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def clean_filename(name: str | None) -> str:
    """A display label: the last path component, without control characters, at most 200 characters."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:200] or "recording"


async def create_meeting_from_upload(
    services: Services,
    principal: Principal,
    upload: UploadFile,
    *,
    title: str | None,
    options: MeetingOptions,
) -> tuple[Meeting, Job]:
    filename = clean_filename(upload.filename)
    meeting_id = uuid.uuid4()
    prefix = meeting_prefix(principal.organisation_id, meeting_id)
    suffix = PurePosixPath(filename).suffix.lower()  # only a hint for the decoder's probe
    incoming = f"{prefix}/upload{suffix if _SUFFIX.fullmatch(suffix) else ''}"
    size = await run_in_threadpool(services.blobs.put, incoming, upload.file)
    try:
        if size == 0:
            raise ApiError(
                400,
                "empty_file",
                f"the uploaded file {filename!r} is empty (0 bytes)",
                "the upload was probably cut: send the file again",
                param="file",
            )
        path = services.blobs.path(incoming)
        try:
            info = await run_in_threadpool(probe, path)
        except AudioError as exc:
            raise ApiError(
                415,
                "unsupported_media",
                exc.problem.replace(str(path), repr(filename)),
                exc.fix,
                param="file",
            ) from None
        key = f"{prefix}/audio{recording_format(info.container).suffix}"
        os.replace(path, services.blobs.path(key))
        meeting, job = await run_in_threadpool(
            _commit,
            services,
            principal,
            meeting_id,
            title or PurePosixPath(filename).stem or filename,
            filename,
            key,
            size,
            info.duration or None,
            options,
        )
    except BaseException:
        services.blobs.delete_prefix(prefix)
        raise
    try:
        await run_in_threadpool(services.queue.submit, job.id, job.queue)
    except BrokerError as exc:
        await run_in_threadpool(_fail, services, job, f"{exc}")
        raise
    return meeting, job


def _commit(
    services: Services,
    principal: Principal,
    meeting_id: uuid.UUID,
    title: str,
    filename: str,
    key: str,
    size: int,
    duration: float | None,
    options: MeetingOptions,
) -> tuple[Meeting, Job]:
    with services.db.write() as session:
        meeting = Meeting(
            id=meeting_id,
            organisation_id=principal.organisation_id,
            created_by=principal.user_id,
            title=title[:500],
            created=utcnow(),
            language=options.language,
            options=options.model_dump(),
            status=MeetingStatus.QUEUED,
            filename=filename,
            audio_key=key,
            audio_bytes=size,
            duration=duration,
            search_text=fold(title[:500]),
        )
        session.add(meeting)
        session.flush()
        job = create_job(
            session,
            services.settings,
            organisation_id=principal.organisation_id,
            meeting_id=meeting_id,
            job=TranscribeJob(**options.model_dump()),
        )
    return meeting, job


def _fail(services: Services, job: Job, error: str) -> None:
    with services.db.write() as session:
        session.execute(
            update(Job).where(Job.id == job.id).values(state=JobState.FAILED, error=error, finished=utcnow())
        )
        session.execute(
            update(Meeting).where(Meeting.id == job.meeting_id).values(status=MeetingStatus.FAILED)
        )
