"""Typed jobs (`greffier.jobs.models`): a job row stores the payload earlier versions wrote, and a row
written in that form (by hand here, as an older server left it in the database) is read, run, and
a payload that does not fit its kind fails the job with an error that says so."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from conftest import new_meeting
from greffier.config import Settings
from greffier.jobs.models import (
    AskJob,
    JobPayloadError,
    MeetingOptions,
    MinutesJob,
    payload_of,
    read_as,
    read_job,
)
from greffier.jobs.registry import TASKS
from greffier.jobs.runner import JobRunner
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, meeting_prefix
from greffier.store.models import Job, JobState
from greffier.transcript import Segment, Transcript

EXPORT = str(uuid.uuid4())
OLD_PAYLOADS: dict[str, dict[str, Any]] = {
    # what the routers and `start_export` wrote before the typed models, key order included
    "transcribe": {"language": "fr", "diarize": True, "speakers": 2},
    "call": {"regulator": None, "llm": False, "version": 1},
    "minutes": {"version": 3},
    "ask": {"question": "Qui signe le bon de commande ?", "version": 2},
    "dataset_export": {"export": EXPORT},
    # new with questions across meetings: the form this version writes
    "ask_all": {
        "question": "Qui signe le bon de commande ?",
        "created_from": "2026-01-01T00:00:00Z",
        "created_to": None,
        "speaker": "Anne",
        "meeting": None,
    },
    "deliver": {"delivery_id": str(uuid.uuid4())},
}


def test_every_task_type_has_a_model_and_every_model_a_task() -> None:
    assert set(OLD_PAYLOADS) == set(TASKS)


@pytest.mark.parametrize("kind", sorted(OLD_PAYLOADS))
def test_a_stored_payload_reads_and_writes_back_the_same(kind: str) -> None:
    job = read_job(kind, OLD_PAYLOADS[kind])
    assert job.kind == kind
    written = payload_of(job)
    assert written == OLD_PAYLOADS[kind]
    assert list(written) == list(OLD_PAYLOADS[kind])  # the JSON column keeps its key order


def test_the_transcribe_job_becomes_the_pipelines_options() -> None:
    options = read_job("transcribe", OLD_PAYLOADS["transcribe"]).pipeline_options()
    assert (options.language, options.diarize, options.speakers.num_speakers) == ("fr", True, 2)
    assert MeetingOptions().pipeline_options().speakers.num_speakers is None


def test_a_reader_that_knows_the_kind_gets_its_model_and_the_same_errors() -> None:
    assert read_as(MinutesJob, OLD_PAYLOADS["minutes"]).version == 3
    asked = read_as(AskJob, OLD_PAYLOADS["ask"])
    assert (asked.question, asked.version) == ("Qui signe le bon de commande ?", 2)
    with pytest.raises(JobPayloadError, match=r"this minutes job does not fit its kind \(version: "):
        read_as(MinutesJob, {"version": "three"})


def _meeting(db: Database) -> tuple[uuid.UUID, uuid.UUID]:
    """A meeting with a transcript (version 1) that a call job can read."""
    org, meeting_id = new_meeting(db)
    said = [
        "SAMU bonjour, quelle est l'adresse de l'urgence ?",
        "Mon père est tombé, il ne respire plus, il a quatre-vingts ans.",
    ]
    transcript = Transcript(
        language="fr",
        duration=10.0,
        segments=tuple(Segment(i, 5.0 * i, 5.0 * i + 4.0, text) for i, text in enumerate(said)),
    )
    add_version(db, meeting_id, transcript.to_dict(), author="test")
    return org, meeting_id


def _old_row(
    db: Database, org: uuid.UUID, meeting: uuid.UUID, kind: str, payload: dict[str, Any]
) -> uuid.UUID:
    """A queued job as the previous version stored it (no `create_job`: the row as it is in a database)."""
    job_id = uuid.uuid4()
    with db.write() as session:
        session.execute(
            sa.insert(Job).values(
                id=job_id,
                organisation_id=org,
                meeting_id=meeting,
                kind=kind,
                queue="llm",
                payload=payload,
                state=JobState.QUEUED,
                progress=0.0,
                attempts=0,
                max_attempts=2,
                created=sa.func.now(),
            )
        )
    return job_id


def test_a_job_row_of_the_old_form_is_picked_up_and_run(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    org, meeting = _meeting(db)
    job_id = _old_row(db, org, meeting, "call", OLD_PAYLOADS["call"])
    runner = JobRunner(settings, db, BlobStore(settings.blobs_dir))
    claim = runner.next_claim(("llm",))
    assert claim is not None and claim.job_id == job_id
    runner.execute(claim)
    with db.read() as session:
        job = session.get(Job, job_id)
        assert (job.state, job.error) == (JobState.SUCCEEDED, None)
    record = json.loads(
        BlobStore(settings.blobs_dir).path(f"{meeting_prefix(org, meeting)}/call.json").read_text()
    )
    assert record["source"] == "job" and record["transcript_version"] == 1
    assert record["form"]["call_id"] == str(meeting)
    db.dispose()


def test_a_payload_that_does_not_fit_its_kind_fails_the_job_and_says_why(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    org, meeting = _meeting(db)
    job_id = _old_row(db, org, meeting, "minutes", {"version": "latest"})
    JobRunner(settings, db, BlobStore(settings.blobs_dir)).run(job_id)
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job.state == JobState.FAILED
        assert "payload of this minutes job does not fit its kind (version:" in job.error
        assert "submit the job again" in job.error
    db.dispose()
