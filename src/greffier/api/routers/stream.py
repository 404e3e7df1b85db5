"""WebSocket `/ws/stream`: live transcription, saved as a meeting (audio + transcript) at the end.

The protocol is `greffier.live.protocol` (docs/live.md). The connection is
authenticated like the rest of the API: `Authorization: Bearer <token>`; from a browser (which
cannot set headers on a WebSocket), the web app's sign-in cookie, from Greffier's own pages only
(a WebSocket handshake is not bound by CORS: with the cookie, the Origin must be this server, whatever
subprotocols are offered), or the subprotocols `bearer` and the token:
`new WebSocket(url, ["bearer", token])`. Query parameters (`StreamQuery`): `format` (pcm16, webm,
ogg), `language` (ISO code; default: detect), `title`, `save` (default true); a bad one gets the
protocol's `error` then `end`, like every refusal. `serve_stream(…, query_type, addon)` is the same
endpoint for others to build on (`/ws/call` adds the case form).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeVar

from fastapi import APIRouter, FastAPI, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ValidationError, field_validator

from greffier.api.deps import SESSION_COOKIE, Services, cross_site
from greffier.app.meetings import LiveRecording, clean_filename, save_live_meeting
from greffier.app.people import known_voices
from greffier.asr import LANGUAGES
from greffier.live.protocol import AudioFormat, EndMessage, ErrorMessage
from greffier.live.session import LiveBusy, LiveHub, Save, Send, run_stream
from greffier.store.accounts import Principal, authenticate
from greffier.transcript import Transcript

router = APIRouter(tags=["live"])

POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013
_BEARER = "bearer"
_hub_lock = asyncio.Lock()


async def _hub(app: FastAPI, services: Services) -> LiveHub:
    """The live streams' shared engine, loaded on the first stream (not at startup)."""
    async with _hub_lock:
        if getattr(app.state, "live_hub", None) is None:
            app.state.live_hub = await run_in_threadpool(LiveHub, services.settings)
    return app.state.live_hub


TokenSource = Literal["header", "subprotocol", "cookie"]


def _token(websocket: WebSocket) -> tuple[str | None, TokenSource]:
    """The API token, and where it came from (a subprotocol must then be echoed)."""
    header = websocket.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == _BEARER and value.strip():
        return value.strip(), "header"
    protocols = websocket.scope.get("subprotocols", [])
    if len(protocols) == 2 and protocols[0].lower() == _BEARER:
        return protocols[1], "subprotocol"
    return websocket.cookies.get(SESSION_COOKIE), "cookie"


async def _principal(services: Services, token: str | None) -> Principal | None:
    return await run_in_threadpool(authenticate, services.db, token) if token else None


class StreamQuery(BaseModel):
    """The query parameters of `/ws/stream`; `FIXES` says what to send instead of a bad one."""

    format: AudioFormat = AudioFormat.PCM16
    language: str | None = None
    title: str | None = None
    save: bool = True
    identify: bool = False

    FIXES: ClassVar[dict[str, str]] = {
        "format": "use format=pcm16 (16-bit 16-kHz mono), webm or ogg",
        "language": "use an ISO 639-1 code such as fr or en, or leave it out to detect it",
        "title": "give the title as text",
        "save": "use save=true or save=false",
        "identify": "use identify=true (name the organisation's people) or identify=false",
    }

    @field_validator("language")
    @classmethod
    def _known_language(cls, language: str | None) -> str | None:
        code = language.strip().lower() if language else None
        if code is not None and code not in LANGUAGES:
            raise ValueError(f"unknown language {language[:20]!r}")
        return code


Query = TypeVar("Query", bound=StreamQuery)


def _bad_query(error: ValidationError, fixes: dict[str, str]) -> tuple[str, str]:
    """The first bad parameter: what is wrong, and the fix."""
    first = error.errors()[0]
    name = str(first["loc"][0]) if first["loc"] else "query"
    value = str(first.get("input", ""))[:20]
    return (
        f"bad query parameter {name}={value!r}: {first['msg']}",
        fixes.get(name, "see the live protocol in docs/live.md"),
    )


async def _refuse(websocket: WebSocket, code: str, message: str, fix: str, close_code: int) -> None:
    await websocket.send_text(ErrorMessage(code=code, message=message, fix=fix, fatal=True).model_dump_json())
    await websocket.send_text(
        EndMessage(reason="error", duration=0.0, segments=0, language=None).model_dump_json()
    )
    await websocket.close(code=close_code)


@dataclass
class StreamAddon:
    """What an endpoint built on this one adds to the stream (`/ws/call`: the case form)."""

    title: str = "Live"
    """The meeting's title when the client gives none."""
    options: dict[str, Any] = field(default_factory=dict)
    """Added to the meeting's options."""
    live: dict[str, Any] = field(default_factory=dict)
    """`LiveOptions` of the stream (`/ws/call`: `hotwords`)."""
    relay: Callable[[Send], Send] = lambda send: send
    """Wraps the sender: may add messages."""
    saver: Callable[[Save], Save] = lambda save: save
    """Wraps the saving at the end (runs before it)."""
    files: Callable[[uuid.UUID], dict[str, bytes]] = lambda meeting_id: {}
    """Files stored with the meeting (given its id), beside its audio; asked once the saver has run."""


@router.websocket("/ws/stream")
async def live_stream(websocket: WebSocket) -> None:
    """Query: `StreamQuery`."""
    await serve_stream(websocket, StreamQuery, lambda query, principal: StreamAddon())


async def serve_stream(
    websocket: WebSocket, query_type: type[Query], addon_of: Callable[[Query, Principal], StreamAddon]
) -> None:
    """Authenticate, check the parameters (`query_type`), stream, save: the whole of `/ws/stream`,
    for any endpoint; `addon_of` gives what the endpoint adds, from its parameters and the caller."""
    services: Services = websocket.app.state.services
    token, source = _token(websocket)
    principal = await _principal(services, token)
    await websocket.accept(subprotocol=_BEARER if source == "subprotocol" else None)
    if principal is not None and source == "cookie" and cross_site(websocket.headers):
        await _refuse(
            websocket,
            "cross_site_request",
            "this stream was opened from another web site with your sign-in cookie, and was refused",
            "use Greffier's own Live page, or authenticate with a token (header or subprotocols)",
            POLICY_VIOLATION,
        )
        return
    if principal is None:
        problem = "this API token is not valid" if token else "no API token given"
        await _refuse(
            websocket,
            "authentication_error",
            problem,
            "send 'Authorization: Bearer <token>', or from a browser the subprotocols "
            "['bearer', token] (create one with: greffier admin create-token EMAIL), "
            "or sign in to the web app",
            POLICY_VIOLATION,
        )
        return
    try:
        query = query_type.model_validate(dict(websocket.query_params))
    except ValidationError as exc:
        await _refuse(
            websocket, "invalid_request_error", *_bad_query(exc, query_type.FIXES), POLICY_VIOLATION
        )
        return
    addon = addon_of(query, principal)
    hub = await _hub(websocket.app, services)
    people = await run_in_threadpool(known_voices, services, principal) if query.identify else None
    with tempfile.TemporaryDirectory(prefix="greffier-live-") as folder:
        recording = Path(folder) / "audio.wav"
        try:
            async with hub.stream(
                hub.options(format=query.format, language=query.language, people=people, **addon.live),
                record=recording,
            ) as live:

                async def save_meeting(transcript: Transcript) -> str | None:
                    if not query.save or transcript.duration <= 0:
                        return None
                    title = query.title
                    name = clean_filename(title) if title and title.strip() else addon.title
                    meeting_id = await run_in_threadpool(
                        save_live_meeting,
                        services,
                        principal,
                        LiveRecording(name, query.language, transcript, recording, addon.options),
                        addon.files,
                    )
                    return str(meeting_id) if meeting_id else None

                await run_stream(
                    live, _receiver(websocket), addon.relay(_sender(websocket)), addon.saver(save_meeting)
                )
        except LiveBusy as busy:
            await _refuse(websocket, "server_busy", busy.problem, busy.fix or "", TRY_AGAIN_LATER)
            return
    with contextlib.suppress(RuntimeError, OSError, WebSocketDisconnect):  # the client may have closed first
        await websocket.close(code=1000)


def _receiver(websocket: WebSocket):
    async def receive() -> bytes | str | None:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return None
        if message.get("bytes") is not None:
            return message["bytes"]
        return message.get("text") or ""

    return receive


def _sender(websocket: WebSocket):
    async def send(text: str) -> None:
        try:
            await websocket.send_text(text)
        except WebSocketDisconnect as exc:
            raise ConnectionError("the client disconnected") from exc

    return send
