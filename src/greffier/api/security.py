"""Headers on every HTTP response: a strict Content-Security-Policy (nothing may run, load or frame it
unless the response says otherwise: the web app's pages and /docs carry their own), no framing, no
type sniffing, no referrer to other sites."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_SWAGGER_UI = "https://cdn.jsdelivr.net"


class SecurityHeaders:
    """Adds `HEADERS` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _sha256(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """/docs (Swagger UI, from its CDN) under a policy that lets only its files and its own inline
    script run, by hash."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title=f"{app.title} - API")
    html = bytes(page.body).decode()
    scripts = " ".join(_sha256(script) for script in _INLINE_SCRIPT.findall(html))
    policy = (
        f"default-src 'none'; script-src {_SWAGGER_UI} {scripts}; style-src {_SWAGGER_UI}; "
        "img-src 'self' data: https://fastapi.tiangolo.com; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )

    def docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})

    app.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
