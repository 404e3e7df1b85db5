"""The store and the job lifecycle on real databases: migrations up and down on SQLite and
PostgreSQL, blob keys that cannot escape, hashed tokens, and claims that hand a job to one worker."""

from __future__ import annotations

import os
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import new_meeting
from greffier.config import Settings
from greffier.jobs.context import JobContext
from greffier.jobs.models import TranscribeJob
from greffier.jobs.registry import create_job
from greffier.jobs.runner import JobRunner
from greffier.store import accounts
from greffier.store.blobs import BlobKeyError, BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version
from greffier.store.models import ApiToken, Base, Job, JobState, Meeting, utcnow

TABLES = {"organisations", "users", "api_tokens", "meetings", "transcript_versions", "jobs"}


def _not_full_text(name: str | None, kind: str, parents: object) -> bool:
    """The search index's words (SQLite's FTS5 table and its shadow tables, PostgreSQL's GIN index on
    a `tsvector`) have no model: they are SQL only, one per database."""
    if kind == "table":
        return not (name or "").startswith("search_fts")
    return name != "search_passages_words"


def _check_up_down(db: Database) -> None:
    db.migrate()
    assert db.current_revision() == Database.head_revision()
    assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
    with db.engine.connect() as connection:  # the migrations build exactly the models' schema
        assert (
            compare_metadata(
                MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_name": _not_full_text}
                ),
                Base.metadata,
            )
            == []
        )
    db.downgrade("base")
    assert db.current_revision() is None
    assert not TABLES & set(sa.inspect(db.engine).get_table_names())
    db.migrate()
    db.migrate()  # idempotent
    assert db.current_revision() == Database.head_revision()


def test_migrations_up_and_down_sqlite(tmp_path: Path) -> None:
    _check_up_down(Database(f"sqlite:///{tmp_path / 'g.db'}"))


def test_migrations_up_and_down_postgresql(pg_url: str) -> None:
    db = Database(pg_url)
    assert db.url.drivername == "postgresql+psycopg"
    _check_up_down(db)
    db.dispose()


@pytest.mark.parametrize(
    "key",
    [
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a//b",
        ".hidden",
        "a/./b",
        "a\\..\\b",
        "",
        "a/",
        "x" * 200,
        "orgs/..",
        "a/b\x00c",
    ],
)
def test_blob_keys_cannot_leave_the_store(tmp_path: Path, key: str) -> None:
    with pytest.raises(BlobKeyError):
        BlobStore(tmp_path / "blobs").path(key)


def test_blob_store_round_trip_and_symlink_escape(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    assert store.put_bytes("orgs/a/meetings/b/audio.wav", b"RIFF") == 4
    assert store.get_bytes("orgs/a/meetings/b/audio.wav") == b"RIFF"
    assert [p.name for p in (tmp_path / "blobs/orgs/a/meetings/b").iterdir()] == ["audio.wav"]  # no temp left
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "blobs" / "link")
    with pytest.raises(BlobKeyError):
        store.path("link/secret")
    store.delete_prefix("orgs/a/meetings/b")
    assert not (tmp_path / "blobs/orgs/a/meetings/b").exists()


def test_tokens_are_stored_hashed(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    accounts.create_organisation(db, "acme")
    accounts.create_user(db, "ana@acme.example", "acme")
    token = accounts.create_token(db, "ana@acme.example")
    with db.read() as session:
        stored = session.scalars(sa.select(ApiToken)).one()
    assert token not in (stored.token_hash, stored.prefix) and stored.token_hash == accounts.hash_token(token)
    principal = accounts.authenticate(db, token)
    assert principal is not None and principal.email == "ana@acme.example"
    assert accounts.authenticate(db, token + "x") is None
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.create_organisation(db, "acme")
    with pytest.raises(accounts.AccountError, match="greffier admin create-org"):
        accounts.create_user(db, "bob@x.example", "nope")


def _job(db: Database, settings: Settings) -> tuple[JobRunner, uuid.UUID]:
    org, meeting = new_meeting(db)
    with db.write() as session:
        job = create_job(session, settings, organisation_id=org, meeting_id=meeting, job=TranscribeJob())
    return JobRunner(settings, db, BlobStore(settings.blobs_dir)), job.id


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_job_is_claimed_once_and_retried_when_its_worker_is_lost(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else f"sqlite:///{tmp_path / 'g.db'}"
    settings = Settings(data_dir=tmp_path, job_lease_s=30, job_max_attempts=2)
    db = Database(url)
    runner, job_id = _job(db, settings)
    first = runner.claim(job_id)
    assert first is not None and first.attempt == 1
    assert runner.claim(job_id) is None  # a duplicate delivery while the worker is alive
    assert runner.requeue_lost() == []
    with db.write() as session:  # the worker goes silent for longer than the lease
        session.execute(sa.update(Job).values(heartbeat=utcnow() - timedelta(seconds=31)))
    second = runner.claim(job_id)
    assert second is not None and second.attempt == 2
    # the first worker's result arrives late: refused, only the second attempt's is kept
    assert add_version(db, first.meeting_id, {"language": "fr"}, author="t", job_id=job_id) is not None
    assert add_version(db, first.meeting_id, {"language": "fr"}, author="t", job_id=job_id) is None
    with db.write() as session:
        session.execute(sa.update(Job).values(heartbeat=utcnow() - timedelta(seconds=31)))
    assert runner.claim(job_id) is None  # max_attempts reached: failed with a reason
    with db.read() as session:
        job = session.get(Job, job_id)
        assert (
            job is not None
            and job.state == JobState.FAILED
            and "gave up after 2 attempts" in (job.error or "")
        )
        assert session.get(Meeting, job.meeting_id).status == "failed"
    db.dispose()


def test_job_progress_runs_from_0_to_1_over_the_stages(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    runner, job_id = _job(db, settings)
    claim = runner.claim(job_id)
    assert claim is not None
    ctx = JobContext(
        job_id=claim.job_id,
        meeting_id=claim.meeting_id,
        organisation_id=claim.organisation_id,
        kind=claim.kind,
        attempt=1,
        worker=claim.worker,
        settings=settings,
        db=db,
        blobs=runner.blobs,
        stage_weights={"decode": 0.1, "asr": 0.9},
    )
    seen = []
    for stage, fraction in [("decode", 1.0), ("vad", 1.0), ("asr", 0.5), ("asr", 0.2), ("asr", 1.0)]:
        ctx.progress(stage, fraction)
        with db.read() as session:
            job = session.get(Job, job_id)
            seen.append((job.stage, round(job.progress, 3)))
    # an unweighted stage keeps the progress; it never goes back; the last step reaches 1
    assert seen == [("decode", 0.1), ("vad", 0.1), ("asr", 0.55), ("asr", 0.55), ("asr", 1.0)]
