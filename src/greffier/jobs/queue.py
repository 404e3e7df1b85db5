"""Where jobs run. Both queues call the same `JobRunner`; only the transport differs.

- `EmbeddedQueue` (default): threads inside `greffier serve` take the oldest queued job from the
  database. Nothing is lost on a restart: the rows are the queue, and running jobs of a dead process
  are queued again when the service starts.
- `CeleryQueue` (`GREFFIER_BROKER_URL=redis://…`): each job is a Celery task on the queue of its
  stage (asr, diarize, llm, deliver), run by `greffier worker` processes anywhere. The service also sweeps:
  jobs whose worker died are sent again once their lease runs out.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from typing import Protocol

from greffier.errors import BrokerError
from greffier.jobs.registry import QUEUES
from greffier.jobs.runner import JobRunner

log = logging.getLogger("greffier.jobs")
OWN_THREAD = ("deliver",)
"""Queues with a thread of their own in embedded mode: a delivery waiting out a destination's back-off
holds up no transcription, and no transcription holds up a delivery."""


class JobQueue(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def submit(self, job_id: uuid.UUID, queue: str) -> None: ...
    def check(self) -> None:
        """Raise if the queue cannot take jobs now."""


class EmbeddedQueue:
    name = "embedded"

    def __init__(self, runner: JobRunner, workers: int, queues: tuple[str, ...] = QUEUES) -> None:
        self.runner = runner
        self.workers = workers
        self.queues = queues
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.workers == 0:
            return
        self.runner.requeue_lost()
        shared = tuple(queue for queue in self.queues if queue not in OWN_THREAD)
        loops = [(f"job-worker-{n}", shared) for n in range(self.workers)]
        loops += [(f"job-worker-{queue}", (queue,)) for queue in self.queues if queue in OWN_THREAD]
        for name, queues in loops:
            thread = threading.Thread(target=self._loop, args=(queues,), name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Stop taking jobs; a job in progress is left running and resumes at the next start."""
        self._stopping.set()
        with self._wake:
            self._wake.notify_all()

    def submit(self, job_id: uuid.UUID, queue: str) -> None:
        with self._wake:
            self._wake.notify_all()

    def check(self) -> None:
        return None

    def _loop(self, queues: tuple[str, ...]) -> None:
        sweep_every = self.runner.settings.job_lease_s / 2
        while not self._stopping.is_set():
            try:
                claim = self.runner.next_claim(queues)
                if claim is not None:
                    self.runner.execute(claim)
                    continue
                self.runner.requeue_lost()
            except Exception:  # keep the worker alive through a database hiccup
                log.exception("embedded worker: unexpected error; retrying")
            with self._wake:
                self._wake.wait(timeout=min(1.0, sweep_every))


class CeleryQueue:
    name = "celery"

    def __init__(self, runner: JobRunner) -> None:
        from greffier.jobs.celery_app import configure

        self.runner = runner
        self.app = configure(runner.settings)
        self._stopping = threading.Event()
        self._sweeper: threading.Thread | None = None

    def start(self) -> None:
        self._sweeper = threading.Thread(target=self._sweep_loop, name="job-sweeper", daemon=True)
        self._sweeper.start()

    def stop(self) -> None:
        self._stopping.set()

    def submit(self, job_id: uuid.UUID, queue: str) -> None:
        from greffier.jobs.celery_app import run_job

        try:
            run_job.apply_async(
                args=[str(job_id)],
                queue=queue,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
            )
        except Exception as exc:  # kombu raises many kinds: connection refused, timeouts, auth…
            raise BrokerError(
                f"the job broker {self.app.conf.broker_url} cannot be reached ({exc.__class__.__name__})",
                "start Redis, or fix GREFFIER_BROKER_URL (unset it to run jobs inside greffier serve)",
            ) from exc
        self.runner.mark_dispatched(job_id)

    def check(self) -> None:
        try:
            with self.app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as exc:
            raise BrokerError(
                f"the job broker cannot be reached ({exc.__class__.__name__})",
                "start Redis, or fix GREFFIER_BROKER_URL",
            ) from exc

    def sweep(self) -> None:
        """Send again the jobs whose worker was lost, and those never sent."""
        for job_id, queue in self.runner.requeue_lost() + self.runner.undispatched(timedelta(seconds=10)):
            try:
                self.submit(job_id, queue)
            except BrokerError:
                log.warning("job %s: broker unreachable; will retry", job_id)

    def _sweep_loop(self) -> None:
        interval = max(1.0, self.runner.settings.job_lease_s / 4)
        while not self._stopping.wait(interval):
            try:
                self.sweep()
            except Exception:
                log.exception("job sweeper: unexpected error; retrying")


def make_queue(runner: JobRunner) -> JobQueue:
    if runner.settings.broker_url:
        return CeleryQueue(runner)
    return EmbeddedQueue(runner, runner.settings.workers)
