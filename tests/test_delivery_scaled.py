"""A `deliver` job in scaled mode: `greffier serve` with PostgreSQL and Redis queues it, a real
`greffier worker` (Celery, queue `deliver`) runs it, and the webhook receiver gets the event once."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from sqlalchemy import select

import delivery_servers as targets
from dataset_seed import seed_meeting
from greffier.delivery.secrets import new_key
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.models import Organisation
from greffier.transcript import Segment, Transcript
from servers import Process, Service, postgres, redis, service_env, wait_for


def test_a_deliver_job_runs_on_a_celery_worker(tmp_path: Path) -> None:
    with postgres() as database_url, redis() as broker_url, targets.webhook_receiver() as hook:
        env = service_env(tmp_path, database_url=database_url, broker_url=broker_url, delivery_key=new_key())
        db = Database(database_url)
        db.migrate()
        accounts.create_organisation(db, "acme")
        accounts.create_user(db, "ana@acme.example", "acme")
        token = accounts.create_token(db, "ana@acme.example")
        with db.read() as session:
            organisation = session.scalar(select(Organisation.id))
        transcript = Transcript(language="fr", duration=2.0, segments=(Segment(0, 0.0, 2.0, "Bonjour."),))
        meeting = seed_meeting(db, organisation, transcript, "Conseil de classe")
        db.dispose()
        service = Service(env, tmp_path / "serve.log").start()
        worker = Process(["worker", "--queues", "deliver"], env, tmp_path / "worker.log").start()
        try:
            wait_for(lambda: "ready." in worker.output(), 60, "the Celery worker")
            with service.client(token) as client:
                assert client.get("/health").json()["queue"] == "celery"
                body = {"name": "crm", "kind": "webhook", "config": {"url": hook.url}, "secret": hook.key}
                assert client.post("/api/destinations", json=body).status_code == 201
                done = targets.deliver_now(client, meeting, "meeting.transcribed", ["crm"])
            assert done["state"] == "sent", done
            assert [e["event"] for e in hook.events] == ["meeting.transcribed"]
            assert hook.events[0]["meeting"]["title"] == "Conseil de classe"
            with psycopg.connect(database_url) as connection:
                rows = connection.execute("SELECT worker, state FROM jobs WHERE kind = 'deliver'").fetchall()
            [(owner, state)] = rows
            assert state == "succeeded", rows
            assert os.getpgid(int(owner.split(":")[1])) == worker.pid, "run by the worker, not the service"
        finally:
            worker.kill()
            service.stop()
