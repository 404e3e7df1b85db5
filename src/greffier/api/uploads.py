"""An uploaded recording becomes a meeting and its transcription job (`app.meetings.create_meeting`),
read from the request's spooled file in a worker thread."""

from __future__ import annotations

from fastapi import UploadFile
from fastapi.concurrency import run_in_threadpool

from greffier.api.deps import Services
from greffier.app.meetings import create_meeting
from greffier.jobs.models import MeetingOptions
from greffier.store.accounts import Principal
from greffier.store.models import Job, Meeting


async def create_meeting_from_upload(
    services: Services,
    principal: Principal,
    upload: UploadFile,
    *,
    title: str | None,
    options: MeetingOptions,
) -> tuple[Meeting, Job]:
    return await run_in_threadpool(
        create_meeting, services, principal, upload.file, upload.filename, title=title, options=options
    )
