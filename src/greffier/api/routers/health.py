"""/health: is the service able to work (database, queue)? No token needed."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from greffier import __version__
from greffier.api.deps import ServicesDep
from greffier.api.schemas import HealthOut

router = APIRouter(tags=["health"])


@router.get("/health", summary="Service health", responses={503: {"model": HealthOut}})
def health(services: ServicesDep) -> JSONResponse:
    problems = []
    try:
        with services.db.read() as session:
            session.execute(text("SELECT 1"))
    except Exception as exc:
        problems.append(f"database: {exc.__class__.__name__}: {exc}"[:300])
    try:
        services.queue.check()
    except Exception as exc:
        problems.append(f"queue: {exc}"[:300])
    body = HealthOut(
        status="degraded" if problems else "ok",
        version=__version__,
        database=services.db.url.get_backend_name(),
        queue=services.queue.name,
        problems=problems,
    )
    return JSONResponse(body.model_dump(), status_code=503 if problems else 200)
