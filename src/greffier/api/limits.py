"""Request bodies larger than `Settings.max_upload_mb` are refused with 413 before (Content-Length)
or while (chunked) they arrive, so an oversized upload never fills the disk."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from greffier.api.errors import ApiError, error_response

_MULTIPART_OVERHEAD = 64 * 1024


def _too_large(limit_mb: int) -> ApiError:
    return ApiError(
        413,
        "request_too_large",
        f"the request body is larger than the {limit_mb} MiB limit",
        "send a shorter or more compressed recording (e.g. Opus or MP3), "
        "or raise GREFFIER_MAX_UPLOAD_MB on the server",
    )


class BodySizeLimit:
    def __init__(self, app: ASGIApp, limit_mb: int) -> None:
        self.app = app
        self.limit_mb = limit_mb
        self.limit = limit_mb * 1024 * 1024 + _MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            error = _too_large(self.limit_mb)
            response = error_response(
                413, error.kind, error.problem, error.fix, headers={"Connection": "close"}
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _too_large(self.limit_mb)
            return message

        await self.app(scope, limited_receive, send)
