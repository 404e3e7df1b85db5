"""The Celery application of scaled mode: one task, `greffier.run_job(job_id)`, routed to the queue
of the job's stage. Late acknowledgement + reject on worker loss: a task whose worker process dies
is delivered again; the runner makes a second delivery harmless."""

from __future__ import annotations

import uuid
from functools import lru_cache

from celery import Celery
from kombu import Exchange, Queue

from greffier.config import Settings, get_settings
from greffier.jobs.registry import QUEUES

app = Celery("greffier", set_as_current=False)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,
    task_ignore_result=True,
    task_default_queue="asr",
    task_queues=[Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=5,
)


def configure(settings: Settings) -> Celery:
    app.conf.update(
        broker_url=settings.broker_url,
        broker_transport_options={"visibility_timeout": settings.broker_visibility_s},
    )
    return app


@lru_cache(maxsize=1)
def _runner():  # one per worker process, created after the fork
    from greffier.jobs.runner import JobRunner
    from greffier.store.blobs import BlobStore
    from greffier.store.db import Database

    settings = get_settings()
    return JobRunner(settings, Database.from_settings(settings), BlobStore(settings.blobs_dir))


@app.task(name="greffier.run_job", acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> None:
    _runner().run(uuid.UUID(job_id))
