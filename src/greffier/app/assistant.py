"""The meeting assistant: write the minutes of a transcript version, ask a question about it. The
language model never runs here: each is a job (queue `llm`) that stores its result with the meeting
(`store.assistant`), where these use-cases read it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from greffier.app.backends import Backends, queue_job
from greffier.app.meetings import load_meeting, load_version
from greffier.errors import Invalid, NotFound
from greffier.jobs.models import AskJob, MinutesJob, read_as
from greffier.store import assistant as store
from greffier.store.accounts import Principal
from greffier.store.meetings import get_version
from greffier.store.models import Job, JobState, Meeting


@dataclass(frozen=True)
class MinutesFile:
    meeting: Meeting
    job: Job
    """The job that wrote them."""
    content: bytes


@dataclass(frozen=True)
class LatestMinutes:
    written: MinutesFile
    """The latest minutes written, as JSON."""
    version: int
    """The transcript version they were written from."""
    latest_job: Job
    """The meeting's latest minutes job (it may be writing newer ones)."""
    latest_version: int
    """The transcript's latest version: when larger than theirs, the minutes predate corrections."""


@dataclass(frozen=True)
class Question:
    job: Job
    """The job answering it: its id is the question's."""
    asked: AskJob
    """The question and the transcript version it is about."""
    answer: dict[str, Any] | None
    """The answer's JSON, once the job has succeeded."""


# -- minutes ---------------------------------------------------------------------------------------
def write_minutes(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> Job:
    """The job writing the minutes of the latest transcript version: the one already doing it, if any."""
    meeting, version = load_version(backends, principal, meeting_id)
    with backends.db.read() as session:
        pending = [
            job
            for job in store.jobs_of(session, meeting.id, store.MINUTES, store.PENDING)
            if read_as(MinutesJob, job.payload).version == version.version
        ]
    if pending:
        return pending[0]
    return queue_job(backends, principal, meeting, MinutesJob(version=version.version))


def minutes_file(backends: Backends, principal: Principal, meeting_id: uuid.UUID, fmt: str) -> MinutesFile:
    """The latest minutes written, in format `fmt` (`assist.render.FORMATS`); `NotFound` says what to
    do (write them, wait for their job, or fix why it failed)."""
    meeting = load_meeting(backends, principal, meeting_id)
    with backends.db.read() as session:
        jobs = store.jobs_of(session, meeting.id, store.MINUTES)
    for job in reversed(jobs):
        key = store.minutes_key(principal.organisation_id, meeting.id, job.id, fmt)
        if job.state == JobState.SUCCEEDED and backends.blobs.exists(key):
            return MinutesFile(meeting, job, backends.blobs.get_bytes(key))
    post = f"POST /api/meetings/{meeting_id}/minutes"
    latest = jobs[-1] if jobs else None
    if latest is None:
        raise NotFound(f"meeting {meeting_id} has no minutes yet", f"write them with {post}")
    if latest.state == JobState.FAILED:
        raise NotFound(
            f"writing the minutes failed: {latest.error}",
            f"fix the cause, then {post} again",
            kind="minutes_failed",
            job=latest,
        )
    raise NotFound(
        f"the minutes are being written ({latest.state}, {latest.progress:.0%} done)",
        f"follow GET /api/jobs/{latest.id} until its state is 'succeeded', then ask again",
        kind="not_ready",
        job=latest,
    )


def latest_minutes(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> LatestMinutes:
    written = minutes_file(backends, principal, meeting_id, "json")
    with backends.db.read() as session:
        latest = store.jobs_of(session, written.meeting.id, store.MINUTES)[-1]
        newest = get_version(session, written.meeting.id)
    theirs = read_as(MinutesJob, written.job.payload).version
    return LatestMinutes(written, theirs, latest, newest.version if newest else theirs)


# -- questions -------------------------------------------------------------------------------------
def _question(backends: Backends, principal: Principal, job: Job) -> Question:
    key = store.answer_key(principal.organisation_id, job.meeting_id, job.id)
    answer = None
    if job.state == JobState.SUCCEEDED and backends.blobs.exists(key):
        answer = json.loads(backends.blobs.get_bytes(key))
    return Question(job, read_as(AskJob, job.payload), answer)


def clean_question(question: str) -> str:
    """The question, its spaces collapsed; `Invalid` when nothing is left or it holds a control character."""
    question = " ".join(question.split())
    if not question:
        raise Invalid(
            "the question is empty",
            "write a question about what was said, e.g. 'Who sends the report, and when?'",
            param="question",
        )
    if not question.isprintable():
        raise Invalid(
            "the question holds a control or invalid character", "send printable text only", param="question"
        )
    return question


def ask_question(backends: Backends, principal: Principal, meeting_id: uuid.UUID, question: str) -> Question:
    """`question` (its spaces collapsed) about the latest transcript version: the job answering it."""
    question = clean_question(question)
    meeting, version = load_version(backends, principal, meeting_id)
    job = queue_job(backends, principal, meeting, AskJob(question=question, version=version.version))
    return _question(backends, principal, job)


def list_questions(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> list[Question]:
    """The questions asked about the meeting, oldest first."""
    meeting = load_meeting(backends, principal, meeting_id)
    with backends.db.read() as session:
        jobs = store.jobs_of(session, meeting.id, store.ASK)
    return [_question(backends, principal, job) for job in jobs]


def get_question(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, question_id: uuid.UUID
) -> Question:
    meeting = load_meeting(backends, principal, meeting_id)
    with backends.db.read() as session:
        job = store.job_of(session, meeting.id, store.ASK, question_id)
    if job is None:
        raise NotFound(
            f"no question {question_id} about meeting {meeting_id}",
            f"list them with GET /api/meetings/{meeting_id}/questions",
        )
    return _question(backends, principal, job)
