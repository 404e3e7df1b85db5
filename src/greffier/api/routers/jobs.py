"""/api/jobs/{id}: where a job stands (state, stage, progress 0–1, error, attempts), once or as a
stream of server-sent events until it ends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.sse import EventSourceResponse, ServerSentEvent

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, not_found
from greffier.api.schemas import JobOut, json_response
from greffier.store.accounts import Principal
from greffier.store.meetings import get_job
from greffier.store.models import JobState

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=ERROR_RESPONSES)
POLL_S = 0.5
"""How often a stream looks at the job (workers write their progress at most every 0.5 s)."""
_FINISHED = (JobState.SUCCEEDED, JobState.FAILED)


def _read(services: ServicesDep, principal: Principal, job_id: uuid.UUID) -> JobOut | None:
    with services.db.read() as session:
        job = get_job(session, principal.organisation_id, job_id)
        return JobOut.model_validate(job) if job is not None else None


def existing_job(services: ServicesDep, principal: PrincipalDep, job_id: uuid.UUID) -> JobOut:
    job = _read(services, principal, job_id)
    if job is None:
        raise not_found(
            "job", job_id, "use the job id returned by POST /api/meetings (jobs go with their meeting)"
        )
    return job


JobDep = Annotated[JobOut, Depends(existing_job)]


@router.get("/{job_id}", summary="A job's state, stage, progress, error and attempts", response_model=JobOut)
def read_job(job: JobDep) -> Response:
    return json_response(job)


@router.get(
    "/{job_id}/events",
    response_class=EventSourceResponse,
    summary="The job as server-sent events: one `job` event per change, until it succeeds or fails",
    responses={  # errors come as JSON, not as events
        code: {
            "description": spec["description"],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
        }
        for code, spec in ERROR_RESPONSES.items()
    },
)
async def job_events(
    job: JobDep, services: ServicesDep, principal: PrincipalDep, request: Request
) -> AsyncIterator[ServerSentEvent]:
    """Each event's data is the job (as GET /api/jobs/{id}); the stream ends after the last state, or
    with an `gone` event when the job's meeting was deleted. EventSource clients should close then."""
    current: JobOut | None = job
    sent = None
    while current is not None:
        if current != sent:
            yield ServerSentEvent(data=current, event="job", retry=2000)
            sent = current
        if current.state in _FINISHED or await request.is_disconnected():
            return
        await asyncio.sleep(POLL_S)
        current = await run_in_threadpool(_read, services, principal, job.id)
    yield ServerSentEvent(data={"id": str(job.id)}, event="gone")
