"""Emergency calls: the case form, live (`/ws/call`) or from a meeting's transcript (a job).

`/ws/call` is `/ws/stream` (same authentication, audio formats and messages) with the `form`
messages of `greffier.calls.live`; at the end the call is saved as a meeting with its form.
`POST /api/meetings/{id}/call` queues a job that fills the form from the meeting's transcript;
a live call configured for SAMU-Hub queues its RS-EDA then RS-EDA-MAJ messages as the form fills.
`GET …/call` is the form, `GET …/call/export` the RS-EDA-like case, `GET …/call/rs-eda` the SAMU-Hub
message (EDXL-DE envelope, RS-EDA); `POST …/call/hub` queues it in the SAMU-Hub outbox, `GET …/call/hub`
is the state of its messages.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import cache
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Body, Response, WebSocket
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.api.routers.stream import StreamAddon, StreamQuery, serve_stream
from greffier.api.schemas import JobOut, attachment
from greffier.app import calls as cases
from greffier.calls.export import CaseExport
from greffier.calls.live import LiveCall
from greffier.calls.llm import JsonComplete
from greffier.calls.place import configured_base
from greffier.calls.record import CASE_FILE, case_record
from greffier.calls.vocabulary import where_hotwords
from greffier.config import Settings
from greffier.live.session import Save
from greffier.store.accounts import Principal
from greffier.transcript import Transcript

router = APIRouter(tags=["calls"], responses=ERROR_RESPONSES)
CALL_TITLE = "Appel"


class CallQuery(StreamQuery):
    """`/ws/stream`'s parameters, French by default, and `regulator` (the regulator's speaker id;
    default: guessed) and `llm` (also ask the configured LLM in the background)."""

    language: str | None = "fr"
    regulator: str | None = None
    llm: bool = False

    FIXES: ClassVar[dict[str, str]] = StreamQuery.FIXES | {
        "regulator": "give the regulator's speaker id, or leave it out to guess it",
        "llm": "use llm=true or llm=false",
    }


@router.websocket("/ws/call")
async def live_call(websocket: WebSocket) -> None:
    """`/ws/stream` plus `form` messages; query: `CallQuery`."""
    services: Services = websocket.app.state.services
    settings = services.settings

    def addon(query: CallQuery, principal: Principal) -> StreamAddon:
        relay = services.hub_relay
        case = cases.LiveCase(services, principal, relay.wake) if relay is not None else None
        base = configured_base(settings.address_base)
        call = LiveCall(
            regulator=query.regulator,
            complete=_lazy_llm(settings) if query.llm else None,
            address_base=base,
            share=case.share if case is not None else None,
        )

        return StreamAddon(
            title=CALL_TITLE,
            options={"call": True},
            live={"hotwords": where_hotwords(base)},
            relay=call.relay,
            saver=lambda save: call.saver(_linked(save, case) if case is not None else save),
            files=lambda meeting_id: {
                CASE_FILE: case_record(
                    call.form, source="live", call_id=str(meeting_id), transcript_version=1
                )
            },
        )

    await serve_stream(websocket, CallQuery, addon)


def _linked(save: Save, case: cases.LiveCase) -> Save:
    """`save`, then the call's SAMU-Hub messages listed with the meeting it became (once it exists:
    the outbox's rows point at it)."""

    async def saving(transcript: Transcript) -> str | None:
        meeting_id = await save(transcript)
        if meeting_id is not None:
            await run_in_threadpool(case.saved, uuid.UUID(meeting_id))
        return meeting_id

    return saving


def _lazy_llm(settings: Settings) -> JsonComplete:
    """The model, loaded on its first question (in the worker thread, not while the socket opens)."""

    @cache
    def model() -> Any:
        from greffier.assist.llm import load_llm

        return load_llm(settings)

    def complete(messages: list[dict[str, str]], schema: dict[str, Any]) -> dict[str, Any]:
        return model().complete_json(messages, schema)

    return complete


class CallRequest(BaseModel):
    regulator: str | None = Field(
        None, max_length=200, description="the regulator's speaker id; default: guessed from the call"
    )
    llm: bool = Field(False, description="also ask the configured LLM for what the rules miss (slower)")


_FORM_RESPONSE = {
    200: {
        "description": "the case form: every field with its value(s), evidence and history; "
        "the suggested priority and care level",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    409: {"description": "the form is being filled, or its job failed"},
}


@router.post(
    "/api/meetings/{meeting_id}/call",
    status_code=202,
    summary="Fill the emergency-call case form from the meeting's transcript (a job)",
    responses={409: {"description": "the meeting is not transcribed yet"}},
)
def start_call(
    services: ServicesDep,
    principal: PrincipalDep,
    meeting_id: uuid.UUID,
    response: Response,
    request: Annotated[CallRequest | None, Body()] = None,
) -> JobOut:
    request = request or CallRequest()
    job = cases.start_call(services, principal, meeting_id, regulator=request.regulator, llm=request.llm)
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return JobOut.model_validate(job)


@router.get(
    "/api/meetings/{meeting_id}/call",
    summary="The emergency-call case form of a meeting",
    responses=_FORM_RESPONSE,
)
def get_call(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    _, record = cases.load_case(services, principal, meeting_id)
    return Response(json.dumps(record["form"], ensure_ascii=False), media_type="application/json")


@router.get(
    "/api/meetings/{meeting_id}/call/export",
    summary="The case form as an RS-EDA-like case (JSON file)",
    responses={200: {"model": CaseExport, "description": "the case, with the evidence of every value"}}
    | {409: _FORM_RESPONSE[409]},
)
def get_call_export(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    meeting, record = cases.load_case(services, principal, meeting_id)
    return Response(
        json.dumps(record["export"], ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": attachment(f"{meeting.title}.case", "json")},
    )


@router.get(
    "/api/meetings/{meeting_id}/call/rs-eda",
    summary="The case as a SAMU-Hub message: an EDXL-DE envelope holding an RS-EDA case",
    responses={200: {"description": "the envelope (validates against EDXL-DE-full and RS-EDA)"}}
    | {409: _FORM_RESPONSE[409]},
)
def get_call_rs_eda(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    envelope = cases.rs_eda_report(services, principal, meeting_id)
    return Response(json.dumps(envelope, ensure_ascii=False), media_type="application/json")


class HubMessageOut(BaseModel):
    """One SAMU-Hub message of the case and where it stands."""

    distribution_id: str
    kind: str = Field(description="Report (RS-EDA) or Update (RS-EDA-MAJ)")
    recipient: str
    state: str = Field(description="queued, sent, acknowledged, refused")
    attempts: int
    next_try: datetime
    created: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    error: str | None = Field(description="the last failure to send, or the recipient's refusal")
    fix: str | None


@router.post(
    "/api/meetings/{meeting_id}/call/hub",
    status_code=202,
    summary="Share the case with the regulation software (queued in the SAMU-Hub outbox)",
    responses={409: {"description": "no case form yet, or SAMU-Hub is not configured"}},
)
def share_call(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> HubMessageOut:
    row = cases.share_case(services, principal, meeting_id)
    if services.hub_relay is not None:
        services.hub_relay.wake()
    return HubMessageOut.model_validate(row, from_attributes=True)


@router.get(
    "/api/meetings/{meeting_id}/call/hub",
    summary="The case's SAMU-Hub messages and their state (queued, sent, acknowledged, refused)",
)
def call_hub_state(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID
) -> list[HubMessageOut]:
    rows = cases.hub_messages(services, principal, meeting_id)
    return [HubMessageOut.model_validate(r, from_attributes=True) for r in rows]
