"""The service under load, in scaled mode on loopback: PostgreSQL, Redis, `greffier serve` and real
`greffier worker` processes, all started here in temp folders (ports 18000-18299).

    python -m bench service                       # scaled mode, about 8 minutes
    python -m bench.service --mode embedded       # SQLite, jobs in threads of `greffier serve`
    python -m bench.service --seconds 20 --clients 50 --pause 0.5

1. Throughput: a batch of short French recordings (sppas-samples, 2-10 s each) with 1 worker, then
   with 2 workers: jobs per minute, and the ratio 2 workers / 1 worker. Each worker runs with
   GREFFIER_THREADS=1, so that the two fit on two cores.
2. Latency: `--clients` concurrent clients poll `GET /api/jobs/{id}` and `GET /api/meetings?limit=20`
   in turn, each with its own connection, in two modes: waiting `--pause` (1 s) between polls, as a
   page that follows its jobs does, and without pause (saturation: the service's capacity). Each
   mode runs first with idle workers (the baseline, 10 s), then while 2 workers transcribe a fresh
   batch (`--seconds` = 60 s polling, `--stress-seconds` = 20 s saturation): p50 / p99 latency,
   errors, the service's CPU time per request, and lost jobs (jobs of the batch that did not
   succeed). Target (issue 4): p99 under 200 ms, zero errors, zero lost jobs.
The load generator runs on the same machine and shares its CPUs with the service and the workers.
In embedded mode the service's CPU time includes its transcription threads.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "eval" / "sppas-samples" / "samples" / "samples-fra"
SHORT_FILES = [
    "AC track_0379.wav",
    "AG_éàç_0460.wav",
    "BX_track_0451.wav",
    "EB_track_0641.wav",
    "IM_track_0767.wav",
    "MB_track_0674.wav",
    "MG_track_0702.wav",
    "ML_track_0597.wav",
    "NH_track_636.wav",
    "SR_track_631.wav",
    "YM_track_0182.wav",
]


def _upload(client: httpx.Client, path: Path) -> str:
    with open(path, "rb") as audio:
        response = client.post("/api/meetings", files={"file": (path.name, audio)}, data={"language": "fr"})
    response.raise_for_status()
    return response.json()["job"]["id"]


def _drain(client: httpx.Client, job_ids: list[str], timeout: float) -> dict[str, str]:
    """Wait for the jobs; returns each job's final (or last seen) state."""
    states: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    pending = list(job_ids)
    while pending and time.monotonic() < deadline:
        for job_id in list(pending):
            state = client.get(f"/api/jobs/{job_id}").json()["state"]
            states[job_id] = state
            if state in ("succeeded", "failed"):
                pending.remove(job_id)
        time.sleep(0.25)
    return states


def _batch(client: httpx.Client, files: list[Path], timeout: float) -> tuple[float, int]:
    """Submit the files at once; returns (jobs per minute, jobs succeeded)."""
    start = time.monotonic()
    ids = [_upload(client, path) for path in files]
    states = _drain(client, ids, timeout)
    elapsed = time.monotonic() - start
    return len(ids) / elapsed * 60, sum(state == "succeeded" for state in states.values())


async def _load(
    url: str, token: str, job_ids: list[str], clients: int, seconds: float, pause: float
) -> tuple[list[float], int, int]:
    """`clients` concurrent pollers for `seconds`, each with its own connection, waiting `pause` s
    between two requests (0: as fast as answered): (latencies in s, requests, errors). aiohttp drives
    the load (httpx's async client stalls at this concurrency here)."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def user(n: int) -> None:
        nonlocal errors
        rng = random.Random(n)
        headers = {"Authorization": f"Bearer {token}"}
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(url, headers=headers, timeout=timeout) as session:
            await asyncio.sleep(rng.uniform(0, pause))  # clients do not poll in step
            turn = n
            while time.monotonic() < deadline:
                path = f"/api/jobs/{rng.choice(job_ids)}" if turn % 2 else "/api/meetings?limit=20"
                turn += 1
                start = time.perf_counter()
                try:
                    async with session.get(path) as response:
                        await response.read()
                        ok = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    ok = False
                latencies.append(time.perf_counter() - start)
                errors += not ok
                await asyncio.sleep(pause)

    await asyncio.gather(*(user(n) for n in range(clients)))
    return latencies, len(latencies), errors


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(
    name: str, pid: int, url: str, token: str, job_ids: list[str], clients: int, seconds: float, pause: float
) -> dict[str, float]:
    """Run the load; print p50/p99, errors, and the service's CPU time per request."""
    cpu = _cpu_seconds(pid)
    latencies, requests, errors = asyncio.run(_load(url, token, job_ids, clients, seconds, pause))
    cpu_ms = (_cpu_seconds(pid) - cpu) / max(1, requests) * 1000
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    print(
        f"  {name:<24} {requests:>6} requests {requests / seconds:>5.0f} req/s  p50 {p50:>6.1f} ms  "
        f"p99 {p99:>6.1f} ms  errors {errors}  service CPU {cpu_ms:.1f} ms/request"
    )
    return {"p50": p50, "p99": p99}


class _Deployment:
    """`greffier serve` and its job workers: `greffier worker` processes (scaled), or job threads
    inside the service (embedded, which restarts the service to change their number)."""

    def __init__(self, mode: str, env: dict[str, str], data: Path) -> None:
        from servers import Process, Service

        self.mode, self.env, self.data = mode, env, data
        self.workers: list[Process] = []
        self.count = 0 if mode == "scaled" else 1
        self.service = Service({**env, "GREFFIER_WORKERS": str(self.count)}, data / "serve.log").start()

    def scale(self, count: int) -> None:
        from servers import Process, Service, wait_for

        if self.mode == "embedded":
            self.service.stop()
            self.service = Service(
                {**self.env, "GREFFIER_WORKERS": str(count)}, self.data / "serve.log"
            ).start()
        while len(self.workers) < count and self.mode == "scaled":
            worker = Process(["worker"], self.env, self.data / f"worker{len(self.workers)}.log").start()
            self.workers.append(worker)
            wait_for(lambda w=worker: "ready." in w.output(), 90, "a Celery worker")
        self.count = count

    def stop(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.service.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.service", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--mode",
        choices=("scaled", "embedded"),
        default="scaled",
        help="scaled: PostgreSQL + Redis + `greffier worker`; embedded: SQLite + job threads",
    )
    parser.add_argument("--seconds", type=float, default=60, help="polling duration while workers transcribe")
    parser.add_argument("--stress-seconds", type=float, default=20, help="no-pause duration while they do")
    parser.add_argument("--baseline-seconds", type=float, default=10, help="each mode with idle workers")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds each client waits between polls")
    args = parser.parse_args(argv if argv is not None else [])
    sys.path.insert(0, str(ROOT / "tests"))
    from greffier.store import accounts
    from greffier.store.db import Database
    from servers import postgres, redis, service_env

    files = [EVAL / name for name in SHORT_FILES]
    with contextlib.ExitStack() as stack:
        data = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        if args.mode == "scaled":
            urls = {
                "database_url": stack.enter_context(postgres()),
                "broker_url": stack.enter_context(redis()),
            }
        else:
            urls = {"database_url": f"sqlite:///{data / 'greffier.db'}"}
        env = service_env(data, threads=1, **urls)
        db = Database(urls["database_url"])
        db.migrate()
        accounts.create_organisation(db, "bench")
        accounts.create_user(db, "bench@example.org", "bench")
        token = accounts.create_token(db, "bench@example.org")
        db.dispose()
        deployment = _Deployment(args.mode, env, data)
        stack.callback(deployment.stop)

        def batch(count: int) -> tuple[float, int]:
            with deployment.service.client(token) as client:
                return _batch(client, files[:count], 600)

        deployment.scale(1)
        batch(1)  # warm-up: model load
        one, ok_one = batch(len(files))
        deployment.scale(2)
        batch(2)  # warm-up of the second worker
        two, ok_two = batch(len(files))
        print(
            f"\nthroughput, {args.mode} mode ({len(files)} recordings of 2-10 s, French, Whisper base int8, "
            "1 thread each)"
        )
        print(f"  1 worker:  {one:6.1f} jobs/min ({ok_one}/{len(files)} succeeded)")
        print(f"  2 workers: {two:6.1f} jobs/min ({ok_two}/{len(files)} succeeded)   ratio {two / one:.2f}x")

        service = deployment.service
        client = service.client(token)
        known = [_upload(client, files[0])]
        _drain(client, known, 120)
        print(
            f"\nlatency, {args.clients} concurrent clients polling GET /api/jobs/{{id}} and GET /api/meetings"
        )
        modes = [(f"poll every {args.pause:g} s", args.pause), ("no pause (saturation)", 0.0)]
        idle = {
            pause: _measure(
                f"idle, {name}",
                service.pid,
                service.url,
                token,
                known,
                args.clients,
                args.baseline_seconds,
                pause,
            )
            for name, pause in modes
        }
        load = [_upload(client, path) for path in files * 3]
        busy = {
            pause: _measure(
                f"2 workers busy, {name}",
                service.pid,
                service.url,
                token,
                load,
                args.clients,
                args.seconds if pause else args.stress_seconds,
                pause,
            )
            for name, pause in modes
        }
        during = sum(client.get(f"/api/jobs/{job_id}").json()["state"] == "succeeded" for job_id in load)
        states = _drain(client, load, 900)
        lost = sum(state != "succeeded" for state in states.values())
        for name, pause in modes:
            print(f"  p99 busy / idle, {name}: {busy[pause]['p99'] / idle[pause]['p99']:.2f}x")
        print(
            f"  jobs submitted {len(load)}, done during the load {during}, "
            f"lost {lost} (not succeeded after draining)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
