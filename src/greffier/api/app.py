"""The FastAPI application: `create_app(settings)`; services are built when it starts (lifespan)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from greffier import __version__, web
from greffier.api import errors
from greffier.api.deps import Services
from greffier.api.limits import BodySizeLimit
from greffier.api.routers import (
    assistant,
    audio,
    calls,
    dataset,
    delivery,
    health,
    jobs,
    meetings,
    openai,
    people,
    questions,
    search,
    session,
    stream,
)
from greffier.api.security import SecurityHeaders, install_docs
from greffier.config import Settings, get_settings
from greffier.hub.client import HubConnection
from greffier.hub.loop import RelayLoop
from greffier.jobs.queue import make_queue
from greffier.jobs.runner import JobRunner
from greffier.store.blobs import BlobStore
from greffier.store.db import Database

log = logging.getLogger("greffier.api")

DESCRIPTION = """Offline transcription of meetings and calls.

Upload a recording with `POST /api/meetings`, follow its job with `GET /api/jobs/{id}`, then read,
correct (`PUT`, versioned) and export its transcript. `POST /v1/audio/transcriptions` answers like
OpenAI's API. Every call but `/health` needs `Authorization: Bearer <token>`
(`greffier admin create-token EMAIL`), or the cookie set by signing in (`POST /api/session`), as the
web app at `/` does. Errors are JSON: `{"error": {"message", "fix", "type", "param"}}`.
"""


def build_services(settings: Settings) -> Services:
    db = Database.from_settings(settings)
    db.migrate()
    blobs = BlobStore(settings.blobs_dir)
    runner = JobRunner(settings, db, blobs)
    relay = RelayLoop(db, HubConnection.of(settings)) if settings.hub_host is not None else None
    return Services(
        settings=settings, db=db, blobs=blobs, runner=runner, queue=make_queue(runner), hub_relay=relay
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings)
        services.queue.start()
        if services.hub_relay is not None:
            services.hub_relay.start()
        app.state.services = services
        log.info(
            "greffier %s: %s database, %s queue",
            __version__,
            services.db.url.get_backend_name(),
            services.queue.name,
        )
        try:
            yield
        finally:
            services.queue.stop()
            if services.hub_relay is not None:
                services.hub_relay.stop()
            services.db.dispose()

    app = FastAPI(
        title="Greffier",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # install_docs: /docs under its own Content-Security-Policy
        redoc_url=None,  # ReDoc would need fonts and workers from other sites
    )
    errors.install(app)
    app.add_middleware(BodySizeLimit, limit_mb=settings.max_upload_mb)
    app.add_middleware(SecurityHeaders)  # outermost: its headers are on the 413s too
    install_docs(app, app.openapi_url or "/openapi.json")
    routers = (session, meetings, search, audio, assistant, questions, jobs, openai, stream, calls, health)
    for router in (module.router for module in routers):
        app.include_router(router)
    app.include_router(dataset.meetings_router)
    app.include_router(dataset.dataset_router)
    app.include_router(delivery.destinations_router)
    app.include_router(delivery.meetings_router)
    app.include_router(people.router)
    app.include_router(people.meetings_router)
    web.install(app)
    return app
