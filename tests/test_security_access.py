"""Issue 20, as an outside attacker tried it: a job that wrote for a meeting deleted while it ran,
sign-ins that outlived their revocation or expiry, WebSockets opened with the cookie from another
site, lockouts anyone could trigger or wipe, login CSRF, and bad WebSocket parameters answered outside
the live protocol. Against a real `greffier serve` (two of them on one database for revocation), or
the app in this process over real HTTP where a test must act at one precise moment of a real job."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from conftest import eval_file
from greffier.api.app import create_app
from greffier.api.throttle import SignInGuard
from greffier.config import Settings
from greffier.jobs.context import STORE_HOOKS, JobContext
from greffier.store.db import Database
from greffier.store.models import Job, TranscriptVersion
from servers import Service, free_port, seed_account, service_env, upload, wait_for, wait_job
from tests.test_live import SHORT as LIVE_SHORT
from tests.test_live import pcm_frames
from tests.test_live_ws import _messages

PORTS = range(18800, 18900)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s, "Une classe entière qui a bien vu…"
EMAIL, PASSWORD = "ana@acme.example", "correct horse battery"
ATTACKER, OWNER = "203.0.113.9", "198.51.100.4"  # X-Forwarded-For, trusted from 127.0.0.1 by uvicorn
SESSION_HOURS = 0.001  # a sign-in lasts 3.6 s


# -- item 3: no job writes for a meeting that no longer exists -------------------------------------------
@dataclass
class InProcess:
    url: str
    token: str
    data: Path

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=120)


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    """The app in this process (uvicorn in a thread, SQLite, one job thread), so that a test can hook
    the moment a job stores its result."""
    data = tmp_path_factory.mktemp("jobs-race")
    token = seed_account(data, "acme", EMAIL, PASSWORD)
    settings = Settings(data_dir=data, llm_backend="none", workers=1, threads=2)
    port = free_port(PORTS)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    wait_for(lambda: server.started, 60, "the app in this process")
    try:
        yield InProcess(f"http://127.0.0.1:{port}", token, data)
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="module")
def keeper(in_process: InProcess) -> str:
    """A transcribed meeting that is not deleted: its jobs mark when the one before them is over."""
    with in_process.client() as client:
        meeting = upload(client, eval_file(SHORT), language="fr", title="Témoin")
        assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
        return meeting["id"]


@pytest.mark.parametrize("kind", ["call", "minutes", "ask", "transcribe"])
def test_a_meeting_deleted_while_its_job_runs_stays_deleted(
    in_process: InProcess, keeper: str, kind: str
) -> None:
    deletions: list[tuple[uuid.UUID, str, int]] = []

    def delete_now(ctx: JobContext, what: str) -> None:
        """Between the job's work and its write: the meeting is deleted through the API."""
        if ctx.kind == kind and str(ctx.meeting_id) != keeper and not deletions:
            response = httpx.delete(
                f"{in_process.url}/api/meetings/{ctx.meeting_id}",
                headers={"Authorization": f"Bearer {in_process.token}"},
            )
            deletions.append((ctx.meeting_id, what, response.status_code))

    with in_process.client() as client:
        if kind != "transcribe":
            meeting = upload(client, eval_file(SHORT), language="fr", title=f"Course {kind}")
            assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
        STORE_HOOKS.append(delete_now)
        try:
            if kind == "transcribe":
                upload(client, eval_file(SHORT), language="fr", title="Course transcribe")
            else:
                started = {
                    "call": lambda: client.post(f"/api/meetings/{meeting['id']}/call"),
                    "minutes": lambda: client.post(f"/api/meetings/{meeting['id']}/minutes"),
                    "ask": lambda: client.post(
                        f"/api/meetings/{meeting['id']}/questions", json={"question": "Qui a vu ?"}
                    ),
                }[kind]()
                assert started.status_code == 202, started.text
            wait_for(lambda: deletions, 180, f"the {kind} job to store its result")
            # one job thread: once the keeper's next job is done, the raced job is over too
            marker = client.post(f"/api/meetings/{keeper}/questions", json={"question": "Qui parle ?"})
            assert wait_job(client, marker.json()["job"]["id"])["state"] == "succeeded"
        finally:
            STORE_HOOKS.remove(delete_now)
        [(meeting_id, _, status)] = deletions
        assert status == 204
        assert client.get(f"/api/meetings/{meeting_id}").status_code == 404
        assert client.get(f"/api/meetings/{keeper}/transcript").status_code == 200
    assert not list(in_process.data.glob(f"blobs/orgs/*/meetings/{meeting_id.hex}")), "no folder came back"
    db = Database(f"sqlite:///{in_process.data / 'greffier.db'}")
    try:
        with db.read() as session:
            for model in (Job, TranscriptVersion):
                assert session.scalar(sa.select(sa.func.count()).where(model.meeting_id == meeting_id)) == 0
    finally:
        db.dispose()


# -- a real `greffier serve`, its sign-ins lasting 3.6 s -------------------------------------------------
@dataclass
class Server:
    service: Service
    data: Path
    token: str

    def ws_url(self, path: str, query: str = "") -> str:
        return f"ws://127.0.0.1:{self.service.port}{path}?{query}"

    def sign_in(self, password: str = PASSWORD, source: str | None = None, **headers: str) -> httpx.Response:
        if source is not None:
            headers["X-Forwarded-For"] = source
        body = {"email": EMAIL, "password": password}
        return httpx.post(f"{self.service.url}/api/session", json=body, headers=headers, timeout=60)

    def meetings(self) -> int:
        with self.service.client(self.token) as client:
            return client.get("/api/meetings").json()["total"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("access")
    token = seed_account(data, "acme", EMAIL, PASSWORD)
    service = Service(service_env(data, session_hours=SESSION_HOURS), data / "serve.log", ports=PORTS).start()
    try:
        yield Server(service, data, token)
    finally:
        service.stop()


def _cookie(response: httpx.Response) -> dict[str, str]:
    """The sign-in cookie as a header (the client's jar would drop it itself once expired)."""
    assert response.status_code == 200, response.text
    return {"Cookie": f"greffier_session={response.cookies['greffier_session']}"}


# -- item 5: revocation and expiry are immediate, in every API process ----------------------------------
def test_an_expired_sign_in_stops_working_at_once(server: Server) -> None:
    response = server.sign_in()
    cookie = _cookie(response)
    expires = datetime.fromisoformat(response.json()["expires"])
    me = f"{server.service.url}/api/session"
    assert httpx.get(me, headers=cookie).status_code == 200  # checked once, while valid
    time.sleep(max(0.0, (expires - datetime.now(UTC)).total_seconds()) + 0.5)
    expired = httpx.get(me, headers=cookie)
    assert expired.status_code == 401 and "sign in again" in expired.json()["error"]["fix"]


def test_a_sign_out_is_honoured_at_once_by_every_api_process(server: Server) -> None:
    env = service_env(server.data, session_hours=SESSION_HOURS, workers=0)
    other = Service(env, server.data / "serve-b.log", ports=PORTS).start()  # the same database
    try:
        cookie = _cookie(server.sign_in())
        assert httpx.get(f"{other.url}/api/session", headers=cookie).status_code == 200
        assert httpx.delete(f"{server.service.url}/api/session", headers=cookie).status_code == 204
        assert httpx.get(f"{other.url}/api/session", headers=cookie).status_code == 401
        assert httpx.get(f"{other.url}/api/meetings", headers=cookie).status_code == 401
        assert httpx.get(f"{server.service.url}/api/session", headers=cookie).status_code == 401
    finally:
        other.stop()


# -- item 6: the cookie opens a WebSocket from Greffier's own origin only ----------------------------------
@pytest.mark.parametrize("path", ["/ws/stream", "/ws/call"])
def test_the_cookie_from_another_site_opens_no_socket_whatever_the_subprotocols(
    server: Server, path: str
) -> None:
    before = server.meetings()
    with connect(
        server.ws_url(path, "language=fr"),
        additional_headers={"Cookie": f"greffier_session={server.token}"},
        origin="http://evil.example",
        subprotocols=["chat"],
        open_timeout=120,
    ) as ws:
        with contextlib.suppress(ConnectionClosed):  # refused at once: the audio may find it closed
            for frame in pcm_frames(LIVE_SHORT):
                ws.send(frame)
            ws.send('{"type": "end"}')
        messages = _messages(ws)
        assert ws.close_code == 1008
    assert [m["code"] for m in messages if m["type"] == "error"] == ["cross_site_request"]
    assert messages[-1]["type"] == "end" and messages[-1]["meeting_id"] is None
    assert server.meetings() == before, "nothing saved in the cookie owner's organisation"


# -- item 7a: lockouts per source and account, that no flood wipes ---------------------------------------
def test_failed_passwords_lock_that_address_out_of_that_account_only(server: Server) -> None:
    statuses = [server.sign_in("wrong password", source=ATTACKER).status_code for _ in range(10)]
    assert statuses == [401] * 10
    locked = server.sign_in(source=ATTACKER)  # even the right password, from there
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 800
    assert server.sign_in(source=OWNER).status_code == 200  # the real user, from their own address
    assert server.sign_in().status_code == 200


def test_one_address_failing_for_many_accounts_is_stopped(server: Server) -> None:
    sprayer = "203.0.113.77"

    def guess(n: int) -> int:
        body = {"email": f"user{n}@acme.example", "password": "guess guess"}
        headers = {"X-Forwarded-For": sprayer}
        return httpx.post(
            f"{server.service.url}/api/session", json=body, headers=headers, timeout=60
        ).status_code

    assert [guess(n) for n in range(100)] == [401] * 100
    assert guess(100) == 429  # a new account, the same address
    assert server.sign_in(source=OWNER).status_code == 200


def test_a_flood_of_new_addresses_wipes_no_lockout() -> None:
    guard = SignInGuard()
    for _ in range(10):
        guard.failed(ATTACKER, EMAIL)
    assert guard.wait_s(ATTACKER, " Ana@ACME.example ") > 800
    for n in range(10_001):
        guard.failed(f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}", f"user{n}@acme.example")
    assert guard.wait_s(ATTACKER, EMAIL) > 800
    assert guard.wait_s(OWNER, EMAIL) == 0
    guard.succeeded(ATTACKER, EMAIL)
    assert guard.wait_s(ATTACKER, EMAIL) == 0


# -- item 7b: no login CSRF ---------------------------------------------------------------------------------
@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}])
def test_a_sign_in_sent_from_another_site_is_refused(server: Server, headers: dict[str, str]) -> None:
    refused = server.sign_in(**headers)
    assert refused.status_code == 403 and refused.json()["error"]["type"] == "cross_site_request"
    assert "set-cookie" not in refused.headers
    assert server.sign_in(Origin=server.service.url, **{"Sec-Fetch-Site": "same-origin"}).status_code == 200


# -- item 7c: bad WebSocket parameters get the protocol's error, then end -----------------------------------
@pytest.mark.parametrize(
    ("path", "query", "param"),
    [
        ("/ws/stream", "save=maybe", "save"),
        ("/ws/call", "save=maybe", "save"),
        ("/ws/call", "llm=perhaps", "llm"),
        ("/ws/stream", "format=mp3", "format"),
    ],
)
def test_a_bad_query_parameter_gets_the_protocols_error_then_end(
    server: Server, path: str, query: str, param: str
) -> None:
    with connect(
        server.ws_url(path, query), additional_headers={"Authorization": f"Bearer {server.token}"}
    ) as ws:
        messages = _messages(ws)
        assert ws.close_code == 1008
    assert [m["type"] for m in messages] == ["error", "end"]
    error = messages[0]
    assert error["code"] == "invalid_request_error" and error["fatal"]
    assert param in error["message"] and f"{param}=" in error["fix"]
    assert messages[1]["reason"] == "error" and messages[1]["meeting_id"] is None
