"""Emergency calls: the case form, live (`/ws/call`) or from a meeting's transcript (a job).

`/ws/call` is `/ws/stream` (same authentication, audio formats and messages) with the `form`
messages of `greffier.calls.live`; at the end the call is saved as a meeting with its form.
`POST /api/meetings/{id}/call` queues a job that fills the form from the meeting's transcript;
`GET …/call` is the form, `GET …/call/export` the RS-EDA-like case.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Body, Response, WebSocket
from pydantic import BaseModel, Field

from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, ApiError
from greffier.api.routers.meetings import _attachment, load_meeting, load_version
from greffier.api.routers.stream import StreamAddon, StreamQuery, serve_stream
from greffier.api.schemas import JobOut
from greffier.calls.export import CaseExport
from greffier.calls.live import LiveCall
from greffier.calls.llm import JsonComplete
from greffier.calls.record import CASE_FILE, case_record
from greffier.config import Settings
from greffier.jobs.models import CallJob
from greffier.jobs.registry import create_job
from greffier.store import meetings as store
from greffier.store.accounts import Principal
from greffier.store.models import JobState
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
    settings: Settings = websocket.app.state.services.settings

    def addon(query: CallQuery) -> StreamAddon:
        call = LiveCall(regulator=query.regulator, complete=_lazy_llm(settings) if query.llm else None)
        return StreamAddon(
            title=CALL_TITLE,
            options={"call": True},
            relay=call.relay,
            saver=call.saver,
            files=lambda meeting_id: {
                CASE_FILE: case_record(
                    call.form, source="live", call_id=str(meeting_id), transcript_version=1
                )
            },
        )

    await serve_stream(websocket, CallQuery, addon)


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
    row = load_version(services, principal, meeting_id, None)
    if request.regulator is not None:
        transcript = Transcript.from_dict(row.body)
        speakers = sorted(
            {s.id for s in transcript.speakers} | {g.speaker for g in transcript.segments if g.speaker}
        )
        if request.regulator not in speakers:
            raise ApiError(
                422,
                "invalid_request_error",
                f"speaker {request.regulator[:40]!r} does not speak in this meeting",
                f"use one of {', '.join(speakers)}, or leave regulator out to guess it"
                if speakers
                else "leave regulator out: this transcript has no speakers (upload with diarize=true)",
                param="regulator",
            )
    with services.db.write() as session:
        job = create_job(
            session,
            services.settings,
            organisation_id=principal.organisation_id,
            meeting_id=meeting_id,
            job=CallJob(regulator=request.regulator, llm=request.llm, version=row.version),
        )
        session.flush()
        out = JobOut.model_validate(job)
    services.queue.submit(out.id, "llm")
    response.headers["Location"] = f"/api/jobs/{out.id}"
    return out


def _record(services: Services, principal: Principal, meeting_id: uuid.UUID) -> dict[str, Any]:
    meeting = load_meeting(services, principal, meeting_id)
    key = f"{store.meeting_prefix(meeting.organisation_id, meeting.id)}/{CASE_FILE}"
    with services.db.read() as session:
        job = store.latest_job(session, meeting.id, kind="call")
    if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
        raise ApiError(
            409,
            "not_ready",
            f"the case form is being filled ({job.state}, {job.progress:.0%} done)",
            f"poll GET /api/jobs/{job.id} until its state is 'succeeded'",
        )
    if services.blobs.exists(key):
        return json.loads(services.blobs.get_bytes(key))
    if job is not None and job.state == JobState.FAILED:
        raise ApiError(
            409,
            "call_failed",
            f"filling the case form failed: {job.error}",
            f"fix the cause, then POST /api/meetings/{meeting_id}/call again",
        )
    raise ApiError(
        404,
        "not_found",
        f"meeting {meeting_id} has no case form",
        f"fill it from the transcript with POST /api/meetings/{meeting_id}/call, or record the call on /ws/call",
    )


@router.get(
    "/api/meetings/{meeting_id}/call",
    summary="The emergency-call case form of a meeting",
    responses=_FORM_RESPONSE,
)
def get_call(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    record = _record(services, principal, meeting_id)
    return Response(json.dumps(record["form"], ensure_ascii=False), media_type="application/json")


@router.get(
    "/api/meetings/{meeting_id}/call/export",
    summary="The case form as an RS-EDA-like case (JSON file)",
    responses={200: {"model": CaseExport, "description": "the case, with the evidence of every value"}}
    | {409: _FORM_RESPONSE[409]},
)
def get_call_export(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> Response:
    record = _record(services, principal, meeting_id)
    title = load_meeting(services, principal, meeting_id).title
    return Response(
        json.dumps(record["export"], ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": _attachment(f"{title}.case", "json")},
    )
