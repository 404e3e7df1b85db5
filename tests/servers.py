"""Real servers for the service tests: throwaway PostgreSQL and Redis instances in temp folders,
`greffier serve` and `greffier worker` subprocesses, and a small HTTP client.

Ports come from the service's ranges (HTTP 18000-18199, PostgreSQL/Redis 18200-18299; the web app's
tests use 18500-18599) and are checked free before use. PostgreSQL refuses to run as root: as root, its commands run as the
`postgres` system user (`runuser`).
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HTTP_PORTS = range(18000, 18200)
DB_PORTS = range(18200, 18300)


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {ports}")


def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise RuntimeError(
            f"PostgreSQL's {name} not found: run scripts/system-deps.sh (Debian package postgresql)"
        )
    return found


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster; yields the URL of an empty database `greffier`."""
    root = Path(tempfile.mkdtemp(prefix="greffier-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    subprocess.run(
        _as_postgres(
            [_pg_bin("initdb"), "-D", str(data), "-U", "greffier", "--auth=trust", "-E", "UTF8", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port(DB_PORTS)
    process = subprocess.Popen(
        _as_postgres(
            [
                _pg_bin("postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(root),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ]
        ),
        stdout=subprocess.DEVNULL,
        stderr=open(root / "postgres.log", "wb"),  # noqa: SIM115
    )
    try:
        import psycopg

        def ready() -> bool:
            try:
                with psycopg.connect(
                    f"postgresql://greffier@127.0.0.1:{port}/postgres", autocommit=True, connect_timeout=2
                ) as conn:
                    conn.execute("CREATE DATABASE greffier")
                return True
            except psycopg.OperationalError:
                if process.poll() is not None:
                    raise RuntimeError((root / "postgres.log").read_text()) from None
                return False

        wait_for(ready, 30, "PostgreSQL", interval=0.2)
        yield f"postgresql://greffier@127.0.0.1:{port}/greffier"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis() -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="greffier-redis-"))
    port = free_port(DB_PORTS)
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server not found: run scripts/system-deps.sh (Debian package redis-server)")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def ready() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    return sock.recv(16).startswith(b"+PONG")
            except OSError:
                return False

        wait_for(ready, 15, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def service_env(data_dir: Path, **settings: Any) -> dict[str, str]:
    """The environment of a `greffier` subprocess: its own data folder, no user config file."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GREFFIER_")}
    env |= {
        "GREFFIER_DATA_DIR": str(data_dir),
        "GREFFIER_CONFIG": str(data_dir / "no-config.toml"),
        "GREFFIER_CACHE_DIR": os.environ.get("GREFFIER_CACHE_DIR", str(Path.home() / ".cache" / "greffier")),
        "GREFFIER_THREADS": "2",
    }
    env |= {f"GREFFIER_{key.upper()}": str(value) for key, value in settings.items()}
    return env


class Process:
    """A `python -m greffier ...` subprocess in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "greffier", *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the whole process group (the process and its children), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Service(Process):
    """`greffier serve` on a free port; `client(token)` talks to it."""

    def __init__(self, env: dict[str, str], log: Path, ports: range = HTTP_PORTS) -> None:
        self.port = free_port(ports)
        super().__init__(["serve", "--port", str(self.port)], env, log)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Service:
        super().start()

        def healthy() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"greffier serve exited:\n{self.output()[-3000:]}")
            try:
                return httpx.get(f"{self.url}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(healthy, 60, "greffier serve")
        return self

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=120)


def create_account(env: dict[str, str], org: str, email: str) -> str:
    """Organisation, user and token through the admin commands, as an operator would; returns the token."""
    for args in (["admin", "create-org", org], ["admin", "create-user", email, "--org", org]):
        subprocess.run([sys.executable, "-m", "greffier", *args], env=env, check=True, capture_output=True)
    done = subprocess.run(
        [sys.executable, "-m", "greffier", "admin", "create-token", email],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def seed_account(data_dir: Path, org: str, email: str, password: str) -> str:
    """The same account as `create_account`, made in this process (no CLI start-ups): faster for tests
    that are not about the admin commands. Returns an API token."""
    from greffier.store import accounts
    from greffier.store.db import Database

    db = Database(f"sqlite:///{data_dir / 'greffier.db'}")
    try:
        db.migrate()
        accounts.create_organisation(db, org)
        accounts.create_user(db, email, org)
        accounts.set_password(db, email, password)
        return accounts.create_token(db, email)
    finally:
        db.dispose()


def wait_job(client: httpx.Client, job_id: str, timeout: float = 180) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        job = client.get(f"/api/jobs/{job_id}").json()
        return job if job["state"] in ("succeeded", "failed") else None

    return wait_for(finished, timeout, f"job {job_id}", interval=0.25)


def upload(client: httpx.Client, path: Path, **form: Any) -> dict[str, Any]:
    with open(path, "rb") as audio:
        response = client.post("/api/meetings", files={"file": (path.name, audio)}, data=form)
    assert response.status_code == 202, response.text
    return response.json()


@contextmanager
def two_organisations(data_dir: Path, ports: range) -> Iterator[tuple[Service, str, str]]:
    """`greffier serve` on `data_dir` with two organisations (acme: ana, globex: bob), and their
    API tokens, to show that one never sees the other's resources."""
    token = seed_account(data_dir, "acme", "ana@acme.example", "correct horse battery")
    other = seed_account(data_dir, "globex", "bob@globex.example", "another long password")
    service = Service(service_env(data_dir), data_dir / "serve.log", ports=ports).start()
    try:
        yield service, token, other
    finally:
        service.stop()
