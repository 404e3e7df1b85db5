"""Issue 20, as an outside attacker tried it: a job that wrote for a meeting deleted while it ran,
sign-ins that outlived their revocation or expiry, WebSockets opened with the cookie from another
site, lockouts anyone could trigger or wipe, login CSRF, and bad WebSocket parameters answered outside
the live protocol. Against a real `greffier serve` (two of them on one database for revocation), or
the app in this process over real HTTP where a test must act at one precise moment of a real job."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from conftest import eval_file
from greffier.api.app import create_app
from greffier.config import Settings
from greffier.jobs.tasks import STORE_HOOKS, JobContext
from greffier.store.db import Database
from greffier.store.models import Job, TranscriptVersion
from servers import free_port, seed_account, upload, wait_for, wait_job

PORTS = range(18800, 18900)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s, "Une classe entière qui a bien vu…"
EMAIL, PASSWORD = "ana@acme.example", "correct horse battery"


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
