"""/api/people: the organisation's people known by their voice (metadata only), enrolled from a
meeting's speaker or from a sample with their consent, and forgotten. Who may do what: `app.people`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ADMIN_ONLY, ERROR_RESPONSES, UNSUPPORTED_MEDIA
from greffier.api.people_schemas import Email, Name, PersonOut, SpeakerEnrolmentIn, Who
from greffier.app import people
from greffier.app.people import Enrolment

router = APIRouter(prefix="/api/people", tags=["people"], responses=ERROR_RESPONSES)
meetings_router = APIRouter(prefix="/api/meetings", tags=["people"], responses=ERROR_RESPONSES)


@router.get("", summary="The organisation's people: names, consent, how many prints (never a print)")
def list_people(services: ServicesDep, principal: PrincipalDep) -> list[PersonOut]:
    return [PersonOut.build(p) for p in people.list_people(services, principal)]


@router.post(
    "",
    status_code=201,
    summary="Enrol a person from a sample of their voice alone, 10 s or more (admins only)",
    responses=ADMIN_ONLY | UNSUPPORTED_MEDIA,
)
async def enrol_sample(
    services: ServicesDep,
    principal: PrincipalDep,
    file: Annotated[UploadFile, File(description="a recording of the person alone (any audio format)")],
    name: Annotated[Name, Form(description="the person's name; a known name gets one more print")],
    consent_by: Annotated[Who, Form(description="who gave the explicit consent: the person, or their DPO")],
    email: Annotated[Email | None, Form()] = None,
) -> PersonOut:
    enrolment = Enrolment(name=name, consent_by=consent_by, email=email)
    person = await run_in_threadpool(
        people.enrol_sample, services, principal, file.file, file.filename, enrolment
    )
    return PersonOut.build(person)


@router.delete(
    "/{person_id}", status_code=204, summary="Forget a person: every print of theirs is deleted at once"
)
def forget_person(services: ServicesDep, principal: PrincipalDep, person_id: uuid.UUID) -> Response:
    people.forget_person(services, principal, person_id)
    return Response(status_code=204)


@meetings_router.post(
    "/{meeting_id}/people",
    status_code=201,
    summary="Remember the voice of one of the meeting's speakers as a person's (admins only)",
    responses=ADMIN_ONLY,
)
def enrol_speaker(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: SpeakerEnrolmentIn
) -> PersonOut:
    enrolment = Enrolment(
        name=body.name, consent_by=body.consent_by, email=body.email, consent_at=body.consent_at
    )
    return PersonOut.build(people.enrol_speaker(services, principal, meeting_id, body.speaker, enrolment))
