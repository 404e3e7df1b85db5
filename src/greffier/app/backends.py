"""What a use-case runs against (`Backends`: the API's `Services` is one), and queueing a job."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy import update

from greffier.config import Settings
from greffier.errors import BrokerError
from greffier.jobs.models import JobSpec
from greffier.jobs.registry import create_job
from greffier.store.accounts import Principal
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.models import TRANSCRIPTION_JOBS, Job, JobState, Meeting, MeetingStatus, utcnow


class JobSubmitter(Protocol):
    """The port a use-case queues jobs through: `jobs.queue`'s queues are ones. A port, not
    `jobs.queue` itself, so that the application layer never imports the runner (whose task types call
    the application layer)."""

    def submit(self, job_id: uuid.UUID, queue: str) -> None: ...


class Backends(Protocol):
    settings: Settings
    db: Database
    blobs: BlobStore
    queue: JobSubmitter


def submit(backends: Backends, job: Job) -> None:
    """Send a committed job to its queue. When the broker cannot take it, the job is failed (and its
    meeting, for a transcription) before `BrokerError` goes on: no job waits for a message never sent."""
    try:
        backends.queue.submit(job.id, job.queue)
    except BrokerError as exc:
        with backends.db.write() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(state=JobState.FAILED, error=str(exc), finished=utcnow())
            )
            if job.kind in TRANSCRIPTION_JOBS:
                session.execute(
                    update(Meeting).where(Meeting.id == job.meeting_id).values(status=MeetingStatus.FAILED)
                )
        raise


def queue_job(backends: Backends, principal: Principal, meeting: Meeting | None, spec: JobSpec) -> Job:
    """The job `spec` about `meeting` (None: about the organisation), committed, then queued (`submit`)."""
    with backends.db.write() as session:
        job = create_job(
            session,
            backends.settings,
            organisation_id=principal.organisation_id,
            meeting_id=meeting.id if meeting is not None else None,
            job=spec,
        )
    submit(backends, job)
    return job
