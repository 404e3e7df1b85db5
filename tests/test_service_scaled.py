"""Scaled mode against real servers: a throwaway PostgreSQL and Redis, `greffier serve` with
GREFFIER_DATABASE_URL and GREFFIER_BROKER_URL, and two real `greffier worker` processes (Celery)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from conftest import eval_file
from greffier.store import accounts
from greffier.store.db import Database
from servers import Process, Service, postgres, redis, service_env, upload, wait_for, wait_job

SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s
LONG = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"  # 21 s
LEASE_S = 4  # a silent job is taken as lost after this
VISIBILITY_S = 12  # Redis hands unacknowledged tasks out again after this


@dataclass
class Scaled:
    service: Service
    workers: list[Process]
    database_url: str
    token: str

    def worker_of(self, job_id: str) -> tuple[Process, int]:
        """The `greffier worker` running a job, and the pid of its pool process that runs it."""
        with psycopg.connect(self.database_url) as connection:
            owner = connection.execute(
                "SELECT worker FROM jobs WHERE id = %s", (job_id.replace("-", ""),)
            ).fetchone()
        assert owner and owner[0], f"job {job_id} has no worker"
        pid = int(owner[0].split(":")[1])
        return next(w for w in self.workers if os.getpgid(pid) == w.pid), pid


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scaled]:
    data = tmp_path_factory.mktemp("scaled")
    with postgres() as database_url, redis() as broker_url:
        env = service_env(
            data,
            database_url=database_url,
            broker_url=broker_url,
            job_lease_s=LEASE_S,
            broker_visibility_s=VISIBILITY_S,
        )
        db = Database(database_url)
        db.migrate()
        accounts.create_organisation(db, "acme")
        accounts.create_user(db, "ana@acme.example", "acme")
        token = accounts.create_token(db, "ana@acme.example")
        db.dispose()
        service = Service(env, data / "serve.log").start()
        workers = [Process(["worker"], env, data / f"worker{n}.log").start() for n in range(2)]
        try:
            wait_for(lambda: all("ready." in w.output() for w in workers), 60, "the Celery workers")
            yield Scaled(service, workers, database_url, token)
        finally:
            for worker in workers:
                worker.kill()
            service.stop()


def test_jobs_run_on_the_workers(scaled: Scaled) -> None:
    with scaled.service.client(scaled.token) as client:
        health = client.get("/health").json()
        assert (health["status"], health["database"], health["queue"]) == ("ok", "postgresql", "celery")
        meeting = upload(client, eval_file(SHORT), language="fr")
        job = wait_job(client, meeting["job"]["id"])
        assert (job["state"], job["attempts"]) == ("succeeded", 1), job
        assert "classe" in client.get(f"/api/meetings/{meeting['id']}/transcript").json()["text"].lower()
        scaled.worker_of(job["id"])  # ran in one of the worker processes, not in the service


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][:1] != "Z"
    except FileNotFoundError:
        return False


def _versions(client, meeting: dict) -> list[int]:
    return [v["version"] for v in client.get(f"/api/meetings/{meeting['id']}/transcript/versions").json()]


def test_a_killed_pool_process_is_replaced_and_its_job_retried_at_once(scaled: Scaled) -> None:
    """Celery's reject_on_worker_lost: the task comes back at once; its dead owner is seen on this host."""
    with scaled.service.client(scaled.token) as client:
        meeting = upload(client, eval_file(LONG), language="fr")
        job_id = meeting["job"]["id"]
        wait_for(
            lambda: client.get(f"/api/jobs/{job_id}").json()["state"] == "running", 60, "the job to start"
        )
        _, pid = scaled.worker_of(job_id)
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        job = wait_job(client, job_id)
        assert (job["state"], job["attempts"]) == ("succeeded", 2), job
        assert _versions(client, meeting) == [1]
        assert time.monotonic() - killed < 60


def test_a_worker_killed_mid_job_is_retried_and_completes_once(scaled: Scaled) -> None:
    """The whole `greffier worker` (and its pool) SIGKILLed: the other worker takes the job over once the
    lease runs out; the message Redis hands out again later changes nothing."""
    with scaled.service.client(scaled.token) as client:
        meeting = upload(client, eval_file(LONG), language="fr")
        others = [upload(client, eval_file(SHORT), language="fr") for _ in range(2)]
        job_id = meeting["job"]["id"]
        wait_for(
            lambda: client.get(f"/api/jobs/{job_id}").json()["state"] == "running", 60, "the job to start"
        )
        victim, pid = scaled.worker_of(job_id)
        victim.kill()
        wait_for(lambda: not _alive(pid), 10, "the pool process to go down with its worker")
        killed = time.monotonic()
        job = wait_job(client, job_id)
        assert (job["state"], job["attempts"], job["error"]) == ("succeeded", 2, None), job
        for other in others:
            assert wait_job(client, other["job"]["id"])["state"] == "succeeded"
        time.sleep(
            max(0.0, VISIBILITY_S + 3 - (time.monotonic() - killed))
        )  # the dead worker's message is back
        assert client.get(f"/api/jobs/{job_id}").json()["attempts"] == 2
        for each in [meeting, *others]:
            assert _versions(client, each) == [1], "one result per job, no duplicate"
        assert "ouvert la porte" in client.get(f"/api/meetings/{meeting['id']}/transcript").json()["text"]
