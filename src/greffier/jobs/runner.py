"""A job's life in the database, the same for both queues: claimed (attempts + 1), kept alive by a
heartbeat, finished once. The database row is the truth; queue messages only say "look at job X".

- A delivery of a finished job, or of one a live worker holds, does nothing (idempotent tasks).
- A running job is taken as lost when its heartbeat is older than `Settings.job_lease_s`, or at once
  when its worker process ran on this machine and is gone; it is then claimed again, up to
  `Settings.job_max_attempts` times.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from greffier.config import Settings
from greffier.errors import GreffierError
from greffier.jobs import tasks  # noqa: F401  (registers the task types in TASKS)
from greffier.jobs.context import JobContext, JobGone
from greffier.jobs.models import read_job
from greffier.jobs.registry import TASKS
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.models import TRANSCRIPTION_JOBS, Job, JobState, Meeting, MeetingStatus, utcnow

log = logging.getLogger("greffier.jobs")
HOST = socket.gethostname()
_MEETING_STATUS = {
    JobState.QUEUED: MeetingStatus.QUEUED,
    JobState.RUNNING: MeetingStatus.RUNNING,
    JobState.SUCCEEDED: MeetingStatus.DONE,
    JobState.FAILED: MeetingStatus.FAILED,
}


def worker_name() -> str:
    return f"{HOST}:{os.getpid()}:{threading.current_thread().name}"


def _owner_gone(worker: str | None) -> bool:
    """True when the worker ran on this machine and its process no longer exists."""
    if not worker:
        return True
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != HOST or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a killed process nobody has reaped yet is a zombie: gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] == "Z"
    except (OSError, IndexError):
        return False


@dataclass(frozen=True)
class Claim:
    job_id: uuid.UUID
    meeting_id: uuid.UUID | None
    organisation_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    """As stored: `execute` reads it as the kind's model (`jobs.models.read_job`)."""
    attempt: int
    worker: str


class JobRunner:
    def __init__(self, settings: Settings, db: Database, blobs: BlobStore) -> None:
        self.settings = settings
        self.db = db
        self.blobs = blobs
        self.lease = timedelta(seconds=settings.job_lease_s)

    # -- claiming --------------------------------------------------------------------------------------
    def _lost(self, job: Job, now: datetime) -> bool:
        return job.heartbeat is None or job.heartbeat < now - self.lease or _owner_gone(job.worker)

    def claim(self, job_id: uuid.UUID) -> Claim | None:
        now, me = utcnow(), worker_name()
        with self.db.write() as session:
            job = session.scalar(select(Job).where(Job.id == job_id).with_for_update())
            if job is None or job.state in (JobState.SUCCEEDED, JobState.FAILED):
                return None
            if job.state == JobState.RUNNING and not self._lost(job, now):
                return None  # a live worker has it: this delivery is a duplicate
            if job.attempts >= job.max_attempts:
                self._set_state(
                    session,
                    job,
                    JobState.FAILED,
                    now,
                    error=(
                        f"gave up after {job.attempts} attempts: the worker running it was lost each time "
                        "(killed, out of memory, machine down?) — check the workers' logs and memory, then resubmit"
                    ),
                )
                return None
            job.attempts += 1
            job.worker, job.started, job.heartbeat, job.error = me, now, now, None
            self._set_state(session, job, JobState.RUNNING, now)
            return Claim(
                job.id, job.meeting_id, job.organisation_id, job.kind, dict(job.payload), job.attempts, me
            )

    def next_claim(self, queues: tuple[str, ...]) -> Claim | None:
        """The oldest runnable job of these queues (embedded mode)."""
        while True:
            with self.db.read() as session:
                job_id = session.scalar(
                    select(Job.id)
                    .where(Job.state == JobState.QUEUED, Job.queue.in_(queues))
                    .order_by(Job.created, Job.id)
                    .limit(1)
                )
            if job_id is None:
                return None
            claim = self.claim(job_id)
            if claim is not None:
                return claim

    def requeue_lost(self) -> list[tuple[uuid.UUID, str]]:
        """Put running jobs whose worker is lost back in the queue; returns (job id, queue) to dispatch."""
        now, found = utcnow(), []
        with self.db.read() as session:  # the common case, nothing lost, needs no write lock
            running = session.scalars(select(Job).where(Job.state == JobState.RUNNING)).all()
        if not any(self._lost(job, now) for job in running):
            return found
        with self.db.write() as session:
            running = session.scalars(
                select(Job).where(Job.state == JobState.RUNNING).with_for_update()
            ).all()
            for job in running:
                if self._lost(job, now):
                    self._set_state(session, job, JobState.QUEUED, now)
                    job.worker, job.dispatched = None, now
                    found.append((job.id, job.queue))
        for job_id, _ in found:
            log.warning("job %s: its worker was lost; queued again", job_id)
        return found

    def undispatched(self, older_than: timedelta) -> list[tuple[uuid.UUID, str]]:
        """Queued jobs never handed to the broker (the API died between commit and send)."""
        now = utcnow()
        with self.db.write() as session:
            jobs = session.scalars(
                select(Job)
                .where(Job.state == JobState.QUEUED, Job.created < now - older_than, Job.dispatched.is_(None))
                .with_for_update()
            ).all()
            for job in jobs:
                job.dispatched = now
            return [(job.id, job.queue) for job in jobs]

    def mark_dispatched(self, job_id: uuid.UUID) -> None:
        with self.db.write() as session:
            session.execute(update(Job).where(Job.id == job_id).values(dispatched=utcnow()))

    # -- running ---------------------------------------------------------------------------------------
    def run(self, job_id: uuid.UUID) -> None:
        claim = self.claim(job_id)
        if claim is not None:
            self.execute(claim)

    def execute(self, claim: Claim) -> None:
        task_type = TASKS.get(claim.kind)
        stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(claim, stop), daemon=True, name="heartbeat")
        beat.start()
        try:
            if task_type is None:
                raise GreffierError(
                    f"this worker does not know task type {claim.kind!r}",
                    "upgrade the workers to the server's version",
                )
            job = read_job(claim.kind, claim.payload)
            log.info("job %s (%s) attempt %d on %s", claim.job_id, claim.kind, claim.attempt, claim.worker)
            task_type.run(
                JobContext(
                    job_id=claim.job_id,
                    meeting_id=claim.meeting_id,
                    organisation_id=claim.organisation_id,
                    kind=claim.kind,
                    attempt=claim.attempt,
                    worker=claim.worker,
                    settings=self.settings,
                    db=self.db,
                    blobs=self.blobs,
                ),
                job,
            )
        except JobGone as exc:
            log.info("job %s dropped: %s", claim.job_id, exc)
            self._finish(claim, JobState.FAILED, f"{exc}")
        except GreffierError as exc:
            self._finish(claim, JobState.FAILED, str(exc))
        except Exception as exc:  # a bug or an unexpected failure: keep the job's record readable
            log.error("job %s failed:\n%s", claim.job_id, traceback.format_exc())
            self._finish(
                claim,
                JobState.FAILED,
                f"internal error ({exc.__class__.__name__}: {exc}) — "
                "see the worker's log, and report it if it persists",
            )
        else:
            self._finish(claim, JobState.SUCCEEDED, None)
        finally:
            stop.set()

    def _heartbeat(self, claim: Claim, stop: threading.Event) -> None:
        interval = self.settings.job_lease_s / 4
        while not stop.wait(interval):
            try:
                with self.db.write() as session:
                    session.execute(
                        update(Job)
                        .where(
                            Job.id == claim.job_id, Job.worker == claim.worker, Job.state == JobState.RUNNING
                        )
                        .values(heartbeat=utcnow())
                    )
            except Exception:  # the database may be briefly away: the next beat tries again
                log.exception("job %s: heartbeat failed", claim.job_id)

    def _finish(self, claim: Claim, state: JobState, error: str | None) -> None:
        now = utcnow()
        with self.db.write() as session:
            job = session.scalar(select(Job).where(Job.id == claim.job_id).with_for_update())
            if job is None or job.worker != claim.worker or job.attempts != claim.attempt:
                return  # deleted, or taken over by another worker after our lease ran out
            if state == JobState.SUCCEEDED:
                job.progress = 1.0
            self._set_state(session, job, state, now, error=error)
            job.finished = now

    @staticmethod
    def _set_state(
        session: Session, job: Job, state: JobState, now: datetime, error: str | None = None
    ) -> None:
        job.state = state
        if error is not None:
            job.error = error
            job.finished = now
        if job.kind in TRANSCRIPTION_JOBS:
            session.execute(
                update(Meeting).where(Meeting.id == job.meeting_id).values(status=_MEETING_STATUS[state])
            )
