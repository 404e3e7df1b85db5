"""What every request needs: the services built at startup, and the caller (from the Bearer token).

Every request checks its token in the database: no process keeps a token it has checked, so a sign-out
or an expiry is honoured at once by every API process sharing the database (scaled mode included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers

from greffier.api.errors import ApiError
from greffier.api.throttle import SignInGuard
from greffier.config import Settings
from greffier.hub.loop import RelayLoop
from greffier.jobs.queue import JobQueue
from greffier.jobs.runner import JobRunner
from greffier.store.accounts import Principal, authenticate
from greffier.store.blobs import BlobStore
from greffier.store.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    runner: JobRunner
    queue: JobQueue
    sign_ins: SignInGuard = field(default_factory=SignInGuard)
    hub_relay: RelayLoop | None = None
    """The SAMU-Hub outbox relay's thread, when SAMU-Hub is configured (`GREFFIER_HUB_HOST`)."""


def get_services(request: Request) -> Services:
    return request.app.state.services


SESSION_COOKIE = "greffier_session"
_bearer = HTTPBearer(auto_error=False, description="an API token from `greffier admin create-token`")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="the web app's sign-in (POST /api/session)"
)
_UNAUTHORISED = {"WWW-Authenticate": "Bearer"}
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cross_site(headers: Headers) -> bool:
    """Sent by a page of another site (`Sec-Fetch-Site`, `Origin`): a browser sends the sign-in cookie
    whoever wrote the page, so what the cookie allows must come from Greffier's own pages. (The cookie
    is SameSite=Strict already; this also covers browsers that ignore it, and WebSocket handshakes.)"""
    site = headers.get("sec-fetch-site")
    origin = headers.get("origin")
    return (site is not None and site not in ("same-origin", "none")) or (
        origin is not None and urlsplit(origin).netloc != headers.get("host")
    )


def refuse_cross_site(
    request: Request, what: str = "this change was sent from another web site with your sign-in cookie"
) -> None:
    if cross_site(request.headers):
        raise ApiError(
            403,
            "cross_site_request",
            f"{what}, and was refused",
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
        refuse_cross_site(request)
    principal = await run_in_threadpool(authenticate, get_services(request).db, token)
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
