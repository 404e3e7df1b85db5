"""What every request needs: the services built at startup, and the caller (from the Bearer token)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from greffier.api.errors import ApiError
from greffier.config import Settings
from greffier.jobs.queue import JobQueue
from greffier.jobs.runner import JobRunner
from greffier.store.accounts import Principal, authenticate
from greffier.store.blobs import BlobStore
from greffier.store.db import Database

TOKEN_CACHE_S = 30.0
"""A token, once checked, is trusted for this long without a database query."""


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    runner: JobRunner
    queue: JobQueue
    tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)

    def cached_principal(self, token: str) -> Principal | None:
        cached = self.tokens.get(token)
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    def authenticate(self, token: str) -> Principal | None:
        principal = authenticate(self.db, token)
        if principal is not None:
            if len(self.tokens) > 10_000:
                self.tokens.clear()
            self.tokens[token] = (principal, time.monotonic() + TOKEN_CACHE_S)
        return principal


def get_services(request: Request) -> Services:
    return request.app.state.services


_bearer = HTTPBearer(auto_error=False, description="an API token from `greffier admin create-token`")
_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}


async def get_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise ApiError(
            401,
            "authentication_error",
            "no API token given",
            "send 'Authorization: Bearer <token>' (create one with: greffier admin create-token EMAIL)",
            headers=_UNAUTHORISED,
        )
    services = get_services(request)
    principal = services.cached_principal(credentials.credentials)
    if principal is None:
        principal = await run_in_threadpool(services.authenticate, credentials.credentials)
    if principal is None:
        raise ApiError(
            401,
            "authentication_error",
            "this API token is not valid",
            "check it was copied whole, or create a new one with: greffier admin create-token EMAIL",
            headers=_UNAUTHORISED,
        )
    return principal


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
