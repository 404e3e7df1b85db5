"""Shared fixtures: the evaluation data beside the checkout, the embedded LLM, Debian's Chromium, the
session's PostgreSQL (a fresh database per module), a CLI runner, and a meeting row in a fresh organisation."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy.engine import make_url

from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.models import Meeting
from servers import postgres

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("GREFFIER_EVAL_DIR", ROOT.parent / "shared" / "eval"))

# Subprocesses (the CLI, servers, workers) import this checkout's code.
os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(
    os.pathsep
)


def new_meeting(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """A meeting row (no audio) in a new organisation of a migrated database: (organisation, meeting)."""
    db.migrate()
    org = accounts.create_organisation(db, f"org-{uuid.uuid4().hex[:8]}")
    with db.write() as session:
        meeting = Meeting(
            organisation_id=org.id, title="t", filename="f.wav", audio_key="k", audio_bytes=1, options={}
        )
        session.add(meeting)
        session.flush()
        return org.id, meeting.id


def eval_file(relative: str) -> Path:
    path = EVAL / relative
    if not path.exists():
        raise FileNotFoundError(
            f"evaluation file missing: {path} (../shared/eval must sit beside the checkout)"
        )
    return path


@pytest.fixture(scope="session")
def eval_dir() -> Path:
    assert EVAL.is_dir(), f"../shared/eval not found at {EVAL}"
    return EVAL


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The session's one PostgreSQL (started on first use)."""
    with postgres() as url:
        yield url


@pytest.fixture(scope="module")
def pg_url(pg_server: str) -> str:
    """An empty database of its own for each test module, on the session's PostgreSQL."""
    name = f"m_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(pg_server).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated service database, once on SQLite and once on the module's PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'g.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    database = Database(url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def embedded_llm():
    """The packaged GGUF in this process, whatever GREFFIER_LLM_URL says."""
    from greffier.assist.llm import load_llm
    from greffier.config import get_settings

    return load_llm(get_settings().model_copy(update={"llm_backend": "embedded", "llm_url": None}))


def run_cli(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `greffier ARGS` as a user would, in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "greffier", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


CHROMIUM = os.environ.get("GREFFIER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, for one test module (a module needing other flags defines its own)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
