"""The web app: plain HTML, CSS and JavaScript modules in `static/` (no build step, nothing fetched from
another site), served by `greffier serve` beside the API it calls."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

STATIC = Path(__file__).parent / "static"
PAGES = (
    "/",
    "/sign-in",
    "/meetings/{meeting_id}",
    "/live",
    "/calls",
    "/meetings/{meeting_id}/call",
    "/destinations",
    "/search",
)
"""Paths the browser may load directly: each is the same page; its script shows the right view."""

PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The pages' Content-Security-Policy: only this site's files, no inline script or style (the other
security headers are the API's, `greffier.api.security`)."""


class _Static(StaticFiles):
    """Static files checked again on each load (ETag): an upgraded server never runs stale scripts."""

    def file_response(self, *args: object, **kwargs: object) -> Response:
        response = super().file_response(*args, **kwargs)  # type: ignore[arg-type]
        response.headers["Cache-Control"] = "no-cache"
        return response


def _page() -> FileResponse:
    return FileResponse(
        STATIC / "index.html", headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-cache"}
    )


def install(app: FastAPI) -> None:
    """Serve the web app's pages and files (kept out of the OpenAPI schema)."""
    app.mount("/static", _Static(directory=STATIC), name="static")
    for path in PAGES:
        app.add_api_route(path, _page, methods=["GET"], include_in_schema=False)
