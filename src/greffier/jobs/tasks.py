"""Task types: what a job does. A task type is a function of a `JobContext`, registered with the
queue (asr, diarize, llm) its workers listen to:

    @task("minutes", queue="llm")
    def minutes(ctx: JobContext) -> None:
        transcript = ctx.transcript()
        ...
        ctx.blobs.put_bytes(ctx.blob_key("minutes.json"), data)

Task functions must be idempotent: a job whose worker died is run again (`ctx.attempt` > 1), and
what the previous attempt stored may already be there.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from greffier.config import Settings
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, get_version, meeting_prefix
from greffier.store.models import Job, JobState, Meeting, TranscriptVersion
from greffier.transcript import Transcript

QUEUES = ("asr", "diarize", "llm")
_PROGRESS_EVERY_S = 0.5


class JobGone(Exception):
    """The job or its meeting was deleted while it ran: drop the work quietly."""


@dataclass
class JobContext:
    job_id: uuid.UUID
    meeting_id: uuid.UUID | None  # None: a job about no single meeting (a dataset export)
    organisation_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempt: int
    worker: str
    settings: Settings
    db: Database
    blobs: BlobStore
    stage_weights: dict[str, float] = field(default_factory=dict)
    """Share of the whole job per stage, so that `progress` runs 0 -> 1 over all stages."""
    _last_write: float = 0.0
    _last_stage: str | None = None
    _done: float = 0.0

    # -- reading -------------------------------------------------------------------------------------
    def meeting(self) -> Meeting:
        with self.db.read() as session:
            meeting = session.get(Meeting, self.meeting_id)
        if meeting is None:
            raise JobGone(f"meeting {self.meeting_id} was deleted")
        return meeting

    def audio_path(self) -> Path:
        return self.blobs.path(self.meeting().audio_key)

    def transcript(self) -> Transcript:
        with self.db.read() as session:
            row = get_version(session, self.meeting_id)
        if row is None:
            raise JobGone(f"meeting {self.meeting_id} has no transcript")
        return Transcript.from_dict(row.body)

    def blob_key(self, name: str) -> str:
        """Where this meeting's derived files go (deleted with the meeting)."""
        return f"{meeting_prefix(self.organisation_id, self.meeting_id)}/{name}"

    # -- writing -------------------------------------------------------------------------------------
    def transcript_stored(self) -> bool:
        """Did an earlier attempt of this job already store its transcript?"""
        with self.db.read() as session:
            stored = select(TranscriptVersion.id).where(TranscriptVersion.job_id == self.job_id)
            return session.scalar(stored) is not None

    def store_transcript(self, transcript: Transcript) -> None:
        if (
            add_version(self.db, self.meeting_id, transcript.to_dict(), author=self.kind, job_id=self.job_id)
            is None
        ):
            return
        with self.db.write() as session:
            session.execute(
                update(Meeting)
                .where(Meeting.id == self.meeting_id)
                .values(language=transcript.language, duration=transcript.duration)
            )

    def progress(self, stage: str, fraction: float) -> None:
        """The pipeline's progress callback: records the stage and the whole job's progress in 0..1."""
        weights = self.stage_weights or {stage: 1.0}
        if stage in weights:
            names = list(weights)
            before = sum(weights[name] for name in names[: names.index(stage)])
            share = before + weights[stage] * max(0.0, min(1.0, fraction))
            self._done = max(self._done, min(1.0, share / (sum(weights.values()) or 1.0)))
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_write < _PROGRESS_EVERY_S and fraction < 1.0:
            return
        self._last_stage, self._last_write = stage, now
        with self.db.write() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.worker == self.worker, Job.state == JobState.RUNNING)
                .values(stage=stage, progress=self._done)
            )


TaskFunction = Callable[[JobContext], None]


@dataclass(frozen=True)
class TaskType:
    name: str
    queue: str
    run: TaskFunction


TASKS: dict[str, TaskType] = {}


def task(name: str, *, queue: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register a task type; `queue` is one of QUEUES (which workers pick it up)."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}: use one of {', '.join(QUEUES)}")

    def register(function: TaskFunction) -> TaskFunction:
        if name in TASKS:
            raise ValueError(f"task type {name!r} is registered twice")
        TASKS[name] = TaskType(name, queue, function)
        return function

    return register


@task("transcribe", queue="asr")
def transcribe(ctx: JobContext) -> None:
    """Audio -> Transcript (recognition, then speakers if asked), stored as version 1."""
    from greffier.pipeline import TranscribeOptions, transcribe_file

    if ctx.transcript_stored():
        return
    meeting = ctx.meeting()
    options = TranscribeOptions(
        language=ctx.payload.get("language"),
        diarize=bool(ctx.payload.get("diarize")),
        num_speakers=ctx.payload.get("speakers"),
    )
    ctx.stage_weights = {"decode": 0.05, "vad": 0.05, "asr": 0.9}
    if options.diarize:
        ctx.stage_weights |= {"asr": 0.7, "diarize": 0.2}
    transcript = transcribe_file(ctx.audio_path(), options, settings=ctx.settings, progress=ctx.progress)
    ctx.store_transcript(dataclasses.replace(transcript, source=meeting.filename))


@task("dataset_export", queue="llm")
def dataset_export(ctx: JobContext) -> None:
    """Licensed, consented, pseudonymised meetings of the organisation as a zip in the blob store."""
    from greffier.jobs import dataset_export as export

    export.run(ctx)
