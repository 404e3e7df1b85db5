"""/api/jobs/{id}: where a job stands (state, stage, progress 0–1, error, attempts)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, not_found
from greffier.api.schemas import JobOut, json_response
from greffier.store.meetings import get_job

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=ERROR_RESPONSES)


@router.get("/{job_id}", summary="A job's state, stage, progress, error and attempts", response_model=JobOut)
def read_job(services: ServicesDep, principal: PrincipalDep, job_id: uuid.UUID) -> Response:
    with services.db.read() as session:
        job = get_job(session, principal.organisation_id, job_id)
    if job is None:
        raise not_found(
            "job", job_id, "use the job id returned by POST /api/meetings (jobs go with their meeting)"
        )
    return json_response(JobOut.model_validate(job))
