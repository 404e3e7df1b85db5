"""/api/meetings/{id}/minutes and /questions: the meeting assistant (`app.assistant`). A POST queues a
job (queue `llm`) and answers 202; the GETs read what the job stored with the meeting."""

from __future__ import annotations

import json
import uuid
from enum import StrEnum

from fastapi import APIRouter, Response

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.api.schemas import JobOut, MinutesOut, QuestionIn, QuestionOut, attachment, json_response
from greffier.app import assistant
from greffier.assist import render
from greffier.store.models import Job

router = APIRouter(prefix="/api/meetings", tags=["assistant"], responses=ERROR_RESPONSES)
MinutesFormat = StrEnum("MinutesFormat", {name: name for name in render.FORMATS})
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
_NOT_READY = {409: {"description": "the meeting is not transcribed yet, or its transcription failed"}}


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
    job = assistant.write_minutes(services, principal, meeting_id)
    _accepted(response, job)
    return JobOut.model_validate(job)


@router.get(
    "/{meeting_id}/minutes",
    summary="The latest minutes, with the transcript version they were written from",
    response_model=MinutesOut,
)
def get_minutes(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    minutes = assistant.latest_minutes(services, principal, meeting_id)
    job = minutes.written.job
    body = {
        "transcript_version": minutes.version,
        "latest_version": minutes.latest_version,
        "created": (job.finished or job.created).isoformat(),
        "job_id": str(job.id),
        "job": JobOut.model_validate(minutes.latest_job).model_dump(mode="json"),
        "minutes": json.loads(minutes.written.content),
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
    written = assistant.minutes_file(services, principal, meeting_id, fmt.value)
    return Response(
        written.content,
        media_type=MEDIA_TYPES[fmt.value],
        headers={"Content-Disposition": attachment(f"{written.meeting.title} – minutes", fmt.value)},
    )


# -- questions -------------------------------------------------------------------------------------
def _question_out(question: assistant.Question) -> QuestionOut:
    job = question.job
    return QuestionOut(
        id=job.id,
        question=question.asked.question,
        transcript_version=question.asked.version,
        created=job.created,
        job=JobOut.model_validate(job),
        answer=question.answer,  # type: ignore[arg-type]  # the answer's JSON, validated into an Answer
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
    question = assistant.ask_question(services, principal, meeting_id, body.question)
    _accepted(response, question.job)
    return _question_out(question)


@router.get("/{meeting_id}/questions", summary="The questions asked about the meeting, oldest first")
def list_questions(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID
) -> list[QuestionOut]:
    return [_question_out(question) for question in assistant.list_questions(services, principal, meeting_id)]


@router.get(
    "/{meeting_id}/questions/{question_id}",
    summary="A question and, once its job has succeeded, its answer with the spans it rests on",
    response_model=QuestionOut,
)
def get_question(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, question_id: uuid.UUID
) -> Response:
    return json_response(_question_out(assistant.get_question(services, principal, meeting_id, question_id)))
