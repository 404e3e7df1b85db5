"""/api/session: signing in to the web app. E-mail and password (`greffier admin set-password`) or an
API token give a sign-in token that expires, set as an HttpOnly, SameSite=Strict cookie; the API then
accepts either that cookie or `Authorization: Bearer`. A sign-in sent by another site's page is refused
(login CSRF: it would sign the browser in to someone else's account); failed passwords are throttled
per source address and account (`greffier.api.throttle`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from math import ceil
from typing import Annotated

from fastapi import APIRouter, Cookie, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, model_validator

from greffier import __version__, export
from greffier.api.deps import SESSION_COOKIE, PrincipalDep, ServicesDep, refuse_cross_site
from greffier.api.errors import ERROR_RESPONSES, ApiError
from greffier.store import accounts

router = APIRouter(prefix="/api/session", tags=["session"], responses=ERROR_RESPONSES)


class SignIn(BaseModel):
    email: str | None = Field(None, max_length=320)
    password: str | None = Field(None, max_length=1000)
    token: str | None = Field(
        None, max_length=200, description="an API token, instead of e-mail and password"
    )

    @model_validator(mode="after")
    def _one_way(self) -> SignIn:
        if (self.token is None) == (self.email is None or self.password is None):
            raise ValueError("give either email and password, or token")
        return self


class SessionOut(BaseModel):
    email: str
    name: str | None
    organisation: str
    role: str = Field(description="admin (manages the organisation's destinations) or member")
    expires: datetime | None = Field(description="when this sign-in ends (null with an API token)")
    version: str = Field(description="the server's version")
    max_upload_mb: int = Field(description="the largest recording accepted")
    export_formats: list[str] = Field(description="formats of GET /api/meetings/{id}/exports/{fmt}")


def _session_out(
    services: ServicesDep, principal: accounts.Principal, expires: datetime | None
) -> SessionOut:
    account = accounts.account(services.db, principal)
    return SessionOut(
        email=account.email,
        name=account.name,
        organisation=account.organisation,
        role=account.role,
        expires=expires,
        version=__version__,
        max_upload_mb=services.settings.max_upload_mb,
        export_formats=list(export.FORMATS),
    )


@router.post("", summary="Sign in (e-mail and password, or an API token): sets the session cookie")
async def sign_in(body: SignIn, services: ServicesDep, request: Request, response: Response) -> SessionOut:
    refuse_cross_site(request, "this sign-in was sent from another web site")
    if body.token is not None:
        principal = await run_in_threadpool(accounts.authenticate, services.db, body.token.strip())
        wrong = ("this API token is not valid", "check it was copied whole, or ask for a new one")
    else:
        assert body.email is not None and body.password is not None
        source = request.client.host if request.client else "unknown"
        wait = services.sign_ins.wait_s(source, body.email)
        if wait:
            raise ApiError(
                429,
                "too_many_attempts",
                "too many failed sign-ins for this e-mail from your address",
                f"wait {ceil(wait / 60)} minute(s), or ask an administrator to set a new password",
                headers={"Retry-After": str(ceil(wait))},
            )
        principal = await run_in_threadpool(accounts.check_password, services.db, body.email, body.password)
        wrong = (
            "wrong e-mail or password",
            "check them; an administrator sets passwords with: greffier admin set-password EMAIL",
        )
        if principal is None:
            services.sign_ins.failed(source, body.email)
        else:
            services.sign_ins.succeeded(source, body.email)
    if principal is None:
        raise ApiError(401, "authentication_error", *wrong)
    lifetime = timedelta(hours=services.settings.session_hours)
    token, expires = await run_in_threadpool(accounts.create_session, services.db, principal, lifetime)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return await run_in_threadpool(_session_out, services, principal, expires)


@router.get("", summary="Who is signed in, and the server's limits")
def read_session(services: ServicesDep, principal: PrincipalDep) -> SessionOut:
    return _session_out(services, principal, None)


@router.delete("", status_code=204, summary="Sign out: the session cookie stops working everywhere")
def sign_out(
    services: ServicesDep,
    principal: PrincipalDep,
    session: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None,
) -> Response:
    if session is not None:
        accounts.revoke_token(services.db, session)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
