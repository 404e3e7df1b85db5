"""What every request needs: the services built at startup, and the caller (from the Bearer token)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from greffier.api.errors import ApiError
from greffier.api.throttle import SignInGuard
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
    sign_ins: SignInGuard = field(default_factory=SignInGuard)

    def cached_principal(self, token: str) -> Principal | None:
        cached = self.tokens.get(token)
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    def forget(self, token: str) -> None:
        self.tokens.pop(token, None)

    def authenticate(self, token: str) -> Principal | None:
        principal = authenticate(self.db, token)
        if principal is not None:
            if len(self.tokens) > 10_000:
                self.tokens.clear()
            self.tokens[token] = (principal, time.monotonic() + TOKEN_CACHE_S)
        return principal


def get_services(request: Request) -> Services:
    return request.app.state.services


SESSION_COOKIE = "greffier_session"
_bearer = HTTPBearer(auto_error=False, description="an API token from `greffier admin create-token`")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="the web app's sign-in (POST /api/session)"
)
_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _refuse_cross_site(request: Request) -> None:
    """A cookie is sent by the browser whoever wrote the page: changes must come from our own pages.
    (The cookie is SameSite=Strict already; this also covers browsers that ignore it.)"""
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if (site is not None and site not in ("same-origin", "none")) or (
        origin is not None and urlsplit(origin).netloc != request.headers.get("host")
    ):
        raise ApiError(
            403,
            "cross_site_request",
            "this change was sent from another web site with your sign-in cookie, and was refused",
            "use Greffier's own pages, or call the API with 'Authorization: Bearer <token>'",
        )


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    token = credentials.credentials if credentials is not None else session
    if token is None:
        raise ApiError(
            401,
            "authentication_error",
            "no API token given",
            "send 'Authorization: Bearer <token>' (create one with: greffier admin create-token EMAIL), "
            "or sign in to the web app",
            headers=_UNAUTHORISED,
        )
    if credentials is None and request.method not in _SAFE_METHODS:
        _refuse_cross_site(request)
    services = get_services(request)
    principal = services.cached_principal(token)
    if principal is None:
        principal = await run_in_threadpool(services.authenticate, token)
    if principal is None:
        raise ApiError(
            401,
            "authentication_error",
            "this API token is not valid" if credentials is not None else "your sign-in has expired",
            "check it was copied whole, or create a new one with: greffier admin create-token EMAIL"
            if credentials is not None
            else "sign in again",
            headers=_UNAUTHORISED,
        )
    return principal


ServicesDep = Annotated[Services, Depends(get_services)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
