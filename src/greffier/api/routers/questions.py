"""/api/questions: a question across the organisation's meetings (`app.questions`). The POST queues
a job (queue `llm`) and answers 202; the GETs read the answer it stored with the organisation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.api.question_schemas import OrganisationQuestionIn, OrganisationQuestionOut
from greffier.api.schemas import json_response
from greffier.app import questions

router = APIRouter(prefix="/api/questions", tags=["assistant"], responses=ERROR_RESPONSES)


@router.post(
    "",
    status_code=202,
    summary="Ask a question across your organisation's meetings: answered by a job, each claim citing "
    "its meeting and span",
)
def ask_all(
    services: ServicesDep, principal: PrincipalDep, body: OrganisationQuestionIn, response: Response
) -> OrganisationQuestionOut:
    created_from, created_to = body.dates()
    asked = questions.ask_all(
        services,
        principal,
        body.question,
        created_from=created_from,
        created_to=created_to,
        speaker=body.speaker,
        meeting_id=body.meeting,
    )
    response.headers["Location"] = f"/api/jobs/{asked.job.id}"
    return OrganisationQuestionOut.build(asked)


@router.get(
    "",
    summary="The questions asked across your organisation's meetings, oldest first",
    response_model=list[OrganisationQuestionOut],
)
def list_questions(services: ServicesDep, principal: PrincipalDep) -> list[OrganisationQuestionOut]:
    return [OrganisationQuestionOut.build(q) for q in questions.list_questions(services, principal)]


@router.get(
    "/{question_id}",
    summary="A question across meetings and, once its job has succeeded, its answer with its meeting and span",
    response_model=OrganisationQuestionOut,
)
def get_question(services: ServicesDep, principal: PrincipalDep, question_id: uuid.UUID) -> Response:
    return json_response(
        OrganisationQuestionOut.build(questions.get_question(services, principal, question_id))
    )
