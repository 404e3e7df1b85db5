"""The registry of task types (`task`, `TASKS`: what a job of each kind runs, on which queue) and
the creation of a queued job of one. `greffier.jobs.tasks` registers Greffier's task types."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from greffier.config import Settings
from greffier.jobs.context import JobContext
from greffier.store.models import Job, JobState, utcnow

QUEUES = ("asr", "diarize", "llm", "deliver")

TaskFunction = Callable[[JobContext], None]


@dataclass(frozen=True)
class TaskType:
    name: str
    queue: str
    run: TaskFunction


TASKS: dict[str, TaskType] = {}


def task(name: str, *, queue: str) -> Callable[[TaskFunction], TaskFunction]:
    """Register a task type; `queue` is one of QUEUES (which workers pick it up). Only the jobs of
    `store.models.TRANSCRIPTION_JOBS` make the meeting's status."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}: use one of {', '.join(QUEUES)}")

    def register(function: TaskFunction) -> TaskFunction:
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
    kind: str,
    payload: dict[str, Any],
) -> Job:
    job = Job(
        organisation_id=organisation_id,
        meeting_id=meeting_id,
        kind=kind,
        queue=TASKS[kind].queue,
        payload=payload,
        state=JobState.QUEUED,
        progress=0.0,
        attempts=0,
        max_attempts=settings.job_max_attempts,
        created=utcnow(),
    )
    session.add(job)
    return job
