"""/api/meetings/{id}/minutes and /questions: the meeting assistant. The language model never runs
inside a request: a POST queues a job (queue `llm`) and answers 202; the job stores its result with
the meeting (`store.assistant`), where the GETs read it."""

from __future__ import annotations

import json
import uuid
from enum import StrEnum

from fastapi import APIRouter, Response
from sqlalchemy import update

from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, ApiError
from greffier.api.routers.meetings import _attachment, load_meeting, load_version
from greffier.api.schemas import JobOut, MinutesOut, QuestionIn, QuestionOut, json_response
from greffier.assist import render
from greffier.jobs.models import AskJob, MinutesJob
from greffier.jobs.queue import BrokerError
from greffier.jobs.registry import create_job
from greffier.store import assistant as store
from greffier.store.accounts import Principal
from greffier.store.meetings import get_version
from greffier.store.models import Job, JobState, Meeting, utcnow

router = APIRouter(prefix="/api/meetings", tags=["assistant"], responses=ERROR_RESPONSES)
MinutesFormat = StrEnum("MinutesFormat", {name: name for name in render.FORMATS})
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
_NOT_READY = {409: {"description": "the meeting is not transcribed yet, or its transcription failed"}}


def _queue(services: Services, principal: Principal, meeting: Meeting, spec: MinutesJob | AskJob) -> Job:
    with services.db.write() as session:
        job = create_job(
            session,
            services.settings,
            organisation_id=principal.organisation_id,
            meeting_id=meeting.id,
            job=spec,
        )
    try:
        services.queue.submit(job.id, job.queue)
    except BrokerError as exc:
        with services.db.write() as session:
            session.execute(
                update(Job)
                .where(Job.id == job.id)
                .values(state=JobState.FAILED, error=str(exc), finished=utcnow())
            )
        raise
    return job


def _accepted(response: Response, job: Job) -> None:
    response.headers["Location"] = f"/api/jobs/{job.id}"


# -- minutes ---------------------------------------------------------------------------------------
@router.post(
    "/{meeting_id}/minutes",
    status_code=202,
    summary="Write the minutes of the latest transcript version: a job (follow it at /api/jobs/{id})",
    responses=_NOT_READY,
)
def write_minutes(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, response: Response
) -> JobOut:
    """While a job is already writing the minutes of that version, it is the one returned."""
    version = load_version(services, principal, meeting_id, None)
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        pending = [
            job
            for job in store.jobs_of(session, meeting.id, store.MINUTES, store.PENDING)
            if job.payload.get("version") == version.version
        ]
    job = pending[0] if pending else _queue(services, principal, meeting, MinutesJob(version=version.version))
    _accepted(response, job)
    return JobOut.model_validate(job)


def _minutes_file(
    services: Services, principal: Principal, meeting_id: uuid.UUID, fmt: str
) -> tuple[Job, bytes]:
    """The latest minutes written (their job and file), or a 404 that says what to do."""
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        jobs = store.jobs_of(session, meeting.id, store.MINUTES)
    for job in reversed(jobs):
        key = store.minutes_key(principal.organisation_id, meeting.id, job.id, fmt)
        if job.state == JobState.SUCCEEDED and services.blobs.exists(key):
            return job, services.blobs.get_bytes(key)
    post = f"POST /api/meetings/{meeting_id}/minutes"
    latest = jobs[-1] if jobs else None
    if latest is None:
        raise ApiError(
            404, "not_found", f"meeting {meeting_id} has no minutes yet", f"write them with {post}"
        )
    extra = {"job": JobOut.model_validate(latest).model_dump(mode="json")}
    if latest.state == JobState.FAILED:
        raise ApiError(
            404,
            "minutes_failed",
            f"writing the minutes failed: {latest.error}",
            f"fix the cause, then {post} again",
            extra=extra,
        )
    raise ApiError(
        404,
        "not_ready",
        f"the minutes are being written ({latest.state}, {latest.progress:.0%} done)",
        f"follow GET /api/jobs/{latest.id} until its state is 'succeeded', then ask again",
        extra=extra,
    )


@router.get(
    "/{meeting_id}/minutes",
    summary="The latest minutes, with the transcript version they were written from",
    response_model=MinutesOut,
)
def get_minutes(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    job, data = _minutes_file(services, principal, meeting_id, "json")
    with services.db.read() as session:
        latest = store.jobs_of(session, job.meeting_id, store.MINUTES)[-1]
        newest = get_version(session, job.meeting_id)
    body = {
        "transcript_version": job.payload["version"],
        "latest_version": newest.version if newest else job.payload["version"],
        "created": (job.finished or job.created).isoformat(),
        "job_id": str(job.id),
        "job": JobOut.model_validate(latest).model_dump(mode="json"),
        "minutes": json.loads(data),
    }
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")


@router.get(
    "/{meeting_id}/minutes/{fmt}",
    summary="The latest minutes as a file: " + ", ".join(render.FORMATS),
    responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}, "description": "the file"}},
)
def download_minutes(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, fmt: MinutesFormat
) -> Response:
    _, data = _minutes_file(services, principal, meeting_id, fmt.value)
    title = load_meeting(services, principal, meeting_id).title
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt.value],
        headers={"Content-Disposition": _attachment(f"{title} – minutes", fmt.value)},
    )


# -- questions -------------------------------------------------------------------------------------
def _question_out(services: Services, principal: Principal, job: Job) -> QuestionOut:
    key = store.answer_key(principal.organisation_id, job.meeting_id, job.id)
    answer = None
    if job.state == JobState.SUCCEEDED and services.blobs.exists(key):
        answer = json.loads(services.blobs.get_bytes(key))  # validated into an Answer below
    return QuestionOut(
        id=job.id,
        question=job.payload["question"],
        transcript_version=job.payload["version"],
        created=job.created,
        job=JobOut.model_validate(job),
        answer=answer,
    )


@router.post(
    "/{meeting_id}/questions",
    status_code=202,
    summary="Ask a question about the meeting: answered by a job, from the latest transcript version",
    responses=_NOT_READY,
)
def ask_question(
    services: ServicesDep,
    principal: PrincipalDep,
    meeting_id: uuid.UUID,
    body: QuestionIn,
    response: Response,
) -> QuestionOut:
    question = " ".join(body.question.split())
    if not question:
        raise ApiError(
            422,
            "invalid_request_error",
            "the question is empty",
            "write a question about what was said, e.g. 'Who sends the report, and when?'",
            param="question",
        )
    if not question.isprintable():
        raise ApiError(
            422,
            "invalid_request_error",
            "the question holds a control or invalid character",
            "send printable text only",
            param="question",
        )
    version = load_version(services, principal, meeting_id, None)
    meeting = load_meeting(services, principal, meeting_id)
    job = _queue(services, principal, meeting, AskJob(question=question, version=version.version))
    _accepted(response, job)
    return _question_out(services, principal, job)


@router.get("/{meeting_id}/questions", summary="The questions asked about the meeting, oldest first")
def list_questions(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID
) -> list[QuestionOut]:
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        jobs = store.jobs_of(session, meeting.id, store.ASK)
    return [_question_out(services, principal, job) for job in jobs]


@router.get(
    "/{meeting_id}/questions/{question_id}",
    summary="A question and, once its job has succeeded, its answer with the spans it rests on",
    response_model=QuestionOut,
)
def get_question(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, question_id: uuid.UUID
) -> Response:
    meeting = load_meeting(services, principal, meeting_id)
    with services.db.read() as session:
        job = store.job_of(session, meeting.id, store.ASK, question_id)
    if job is None:
        raise ApiError(
            404,
            "not_found",
            f"no question {question_id} about meeting {meeting_id}",
            f"list them with GET /api/meetings/{meeting_id}/questions",
        )
    return json_response(_question_out(services, principal, job))
