"""The meeting assistant's results, kept with their meeting: minutes and answers are written by jobs
(kinds `minutes` and `ask`, payload `{"version": N, …}`) as blobs named after the job. A retried job
finds its result already there; deleting the meeting deletes its jobs and its blob folder, so the
minutes, questions and answers go with it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from greffier.store.meetings import meeting_prefix
from greffier.store.models import Job, JobState

MINUTES = "minutes"
ASK = "ask"
ASK_ALL = "ask_all"
PENDING = (JobState.QUEUED, JobState.RUNNING)


def minutes_key(organisation_id: uuid.UUID, meeting_id: uuid.UUID, job_id: uuid.UUID, fmt: str) -> str:
    """Minutes written by one job, in one format (md, docx, json); the JSON is written last."""
    return f"{meeting_prefix(organisation_id, meeting_id)}/minutes/{job_id.hex}.{fmt}"


def answer_key(organisation_id: uuid.UUID, meeting_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """The answer to the question asked by one job (JSON)."""
    return f"{meeting_prefix(organisation_id, meeting_id)}/questions/{job_id.hex}.json"


def organisation_answer_key(organisation_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """The answer to a question asked across the organisation's meetings by one job (JSON)."""
    return f"orgs/{organisation_id.hex}/questions/{job_id.hex}.json"


def organisation_jobs(session: Session, organisation_id: uuid.UUID, kind: str) -> list[Job]:
    """The organisation's jobs of one kind about no single meeting, oldest first."""
    query = select(Job).where(
        Job.organisation_id == organisation_id, Job.meeting_id.is_(None), Job.kind == kind
    )
    return list(session.scalars(query.order_by(Job.created, Job.id)))


def jobs_of(
    session: Session, meeting_id: uuid.UUID, kind: str, states: Sequence[str] | None = None
) -> list[Job]:
    """The meeting's jobs of one kind, oldest first."""
    query = select(Job).where(Job.meeting_id == meeting_id, Job.kind == kind)
    if states is not None:
        query = query.where(Job.state.in_(states))
    return list(session.scalars(query.order_by(Job.created, Job.id)))


def job_of(session: Session, meeting_id: uuid.UUID, kind: str, job_id: uuid.UUID) -> Job | None:
    return session.scalar(select(Job).where(Job.id == job_id, Job.meeting_id == meeting_id, Job.kind == kind))
