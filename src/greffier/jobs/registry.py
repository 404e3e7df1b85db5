"""The registry of task types (`task`, `TASKS`: what a job of each kind runs, on which queue) and
the creation of a queued job of one (`create_job`, from its typed model). `greffier.jobs.tasks`
registers Greffier's task types."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from greffier.config import Settings
from greffier.jobs.context import JobContext
from greffier.jobs.models import JobSpec, payload_of
from greffier.store.models import Job, JobState, utcnow

QUEUES = ("asr", "diarize", "llm", "deliver")

M = TypeVar("M", bound=BaseModel)
TaskFunction = Callable[[JobContext, M], None]
"""A task runs with its job's context and its typed job (a model of `jobs.models.JobSpec`)."""


@dataclass(frozen=True)
class TaskType:
    name: str
    queue: str
    run: Callable[[JobContext, Any], None]


TASKS: dict[str, TaskType] = {}


def task(model: type[M], *, queue: str) -> Callable[[TaskFunction[M]], TaskFunction[M]]:
    """Register the task type of the jobs of `model` (its `kind`); `queue` is one of QUEUES (which
    workers pick it up). Only the jobs of `store.models.TRANSCRIPTION_JOBS` make the meeting's status."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}: use one of {', '.join(QUEUES)}")
    name = model.model_fields["kind"].default

    def register(function: TaskFunction[M]) -> TaskFunction[M]:
        if name in TASKS:
            raise ValueError(f"task type {name!r} is registered twice")
        TASKS[name] = TaskType(name, queue, function)
        return function

    return register


def create_job(
    session: Session,
    settings: Settings,
    *,
    organisation_id: uuid.UUID,
    meeting_id: uuid.UUID | None,
    job: JobSpec,
) -> Job:
    row = Job(
        organisation_id=organisation_id,
        meeting_id=meeting_id,
        kind=job.kind,
        queue=TASKS[job.kind].queue,
        payload=payload_of(job),
        state=JobState.QUEUED,
        progress=0.0,
        attempts=0,
        max_attempts=settings.job_max_attempts,
        created=utcnow(),
    )
    session.add(row)
    return row
