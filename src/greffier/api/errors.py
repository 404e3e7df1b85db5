"""Every error the API returns is JSON that names the problem and the fix, in the shape OpenAI
clients read (`{"error": {"message", "type", "param", "fix"}}`). Bad input is a 4xx, never a 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.routing import Match, Mount

from greffier.errors import (
    BrokerError,
    Forbidden,
    Gone,
    GreffierError,
    Invalid,
    NotFound,
    NotReady,
    PublicText,
    Refused,
    Stale,
    Unreadable,
    Unsupported,
)

log = logging.getLogger("greffier.api")


class ErrorBody(BaseModel):
    type: str
    message: PublicText
    """The problem and the fix, in one sentence (what OpenAI clients show); no server path."""
    fix: PublicText | None = None
    param: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(HTTPException):
    def __init__(
        self,
        status: int,
        kind: str,
        problem: str,
        fix: str | None = None,
        *,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=problem, headers=headers)
        self.kind, self.problem, self.fix, self.param = kind, problem, fix, param
        self.extra = extra
        """More JSON beside "error" (e.g. the job that is producing what was asked for)."""


def not_found(what: str, ident: object, fix: str) -> ApiError:
    return ApiError(404, "not_found", f"no {what} {ident} in your organisation", fix)


def error_response(
    status: int,
    kind: str,
    problem: str,
    fix: str | None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    message = f"{problem} — {fix}" if fix else problem
    body = ErrorResponse(error=ErrorBody(type=kind, message=message, fix=fix, param=param))
    return JSONResponse({**(extra or {}), **body.model_dump()}, status_code=status, headers=headers)


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
_PLACES = {
    "body": "field",
    "query": "query parameter",
    "path": "path parameter",
    "header": "header",
    "cookie": "cookie",
}
_FIXES = {
    "missing": "add it",
    "uuid_parsing": "use an id exactly as the API returned it (a UUID)",
    "uuid_type": "use an id exactly as the API returned it (a UUID)",
    "json_invalid": "send a valid JSON document",
    "enum": "use one of the values listed",
    "literal_error": "use one of the values listed",
}


def _where(loc: tuple[Any, ...]) -> tuple[str, str | None]:
    if not loc:
        return "request", None
    place = _PLACES.get(str(loc[0]), str(loc[0]))
    names = [str(part) for part in loc[1:]]
    if not names:
        return "request body", None
    return f"{place} {'.'.join(names)!r}", names[0]


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    parts, fix, param = [], None, None
    for error in errors[:5]:
        where, name = _where(tuple(error.get("loc", ())))
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
        param = param or name
        fix = fix or _FIXES.get(str(error.get("type")))
    if param == "file":
        fix = "send the recording as a multipart/form-data field named 'file'"
    return error_response(
        422,
        "invalid_request_error",
        "; ".join(parts),
        (fix or "correct it") + " (the API is described at /docs)",
        param,
    )


def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if isinstance(exc, ApiError):
        return error_response(
            exc.status_code, exc.kind, exc.problem, exc.fix, exc.param, exc.headers, exc.extra
        )
    if exc.status_code == 404:
        return error_response(
            404,
            "not_found",
            f"no endpoint {request.method} {request.url.path}",
            "see /docs for the endpoints",
        )
    if exc.status_code == 405:
        allowed = _allowed_methods(request, exc)
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}",
            f"use {', '.join(allowed)} (see /docs for the methods of each endpoint)",
            headers={"Allow": ", ".join(allowed)},
        )
    if exc.status_code == 400:
        return error_response(
            400,
            "invalid_request_error",
            f"the request body could not be read ({exc.detail})",
            "send multipart/form-data for uploads and JSON elsewhere, as documented at /docs",
        )
    return error_response(exc.status_code, "http_error", str(exc.detail), None, headers=exc.headers)


def _allowed_methods(request: Request, exc: HTTPException) -> list[str]:
    """The methods this path is routed for (Starlette's own `Allow` names only one route's methods,
    when several routes share the path); mounted apps (/static) say theirs themselves."""
    routes = [route for route in request.app.router.routes if not isinstance(route, Mount)]
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]
    return allowed or [m.strip() for m in (exc.headers or {}).get("Allow", "").split(",") if m.strip()]


_STATUS: dict[type[Refused], int] = {
    Unreadable: 400,
    Forbidden: 403,
    NotFound: 404,
    NotReady: 409,
    Gone: 410,
    Stale: 412,
    Unsupported: 415,
    Invalid: 422,
}
"""The HTTP status of each refusal of a use-case (`greffier.app`)."""


def refused_response(exc: Refused) -> JSONResponse:
    from greffier.api.schemas import JobOut

    extra = {"job": JobOut.model_validate(exc.job).model_dump(mode="json")} if exc.job is not None else None
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    return error_response(status, exc.kind, exc.problem, exc.fix, exc.param, extra=extra)


def _greffier_error(request: Request, exc: GreffierError) -> JSONResponse:
    from greffier.store.db import DatabaseError

    if isinstance(exc, Refused):
        return refused_response(exc)
    unavailable = isinstance(exc, DatabaseError | BrokerError)
    if unavailable:
        log.error("%s %s: %s", request.method, request.url.path, exc)
    return error_response(
        503 if unavailable else 400,
        "service_unavailable" if unavailable else "invalid_request_error",
        exc.problem,
        exc.fix,
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(
        500,
        "internal_error",
        "the server failed on this request (a bug)",
        "retry; if it persists, report it with the server log",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(GreffierError, _greffier_error)
    app.add_exception_handler(Exception, _unexpected)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "a body that cannot be read (not JSON, broken multipart) or an empty upload",
        401: "missing or wrong API token",
        413: "a body larger than the server's max_upload_mb",
        404: "unknown id (or another organisation's)",
        422: "invalid parameters",
    }.items()
}
ADMIN_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorResponse, "description": "the caller is not an admin of the organisation"}
}
UNSUPPORTED_MEDIA: dict[int | str, dict[str, Any]] = {
    415: {"model": ErrorResponse, "description": "the file is not a recording that can be decoded"}
}
