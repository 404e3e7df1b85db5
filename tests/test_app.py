"""The use-cases of `greffier.app` on a real SQLite database and blob store, without a model: what they
refuse (and as which `Refused`, with which kind and field), the transcript versions they write under
If-Match, the jobs they queue, and how the API answers each refusal."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from greffier import export
from greffier.api.deps import Services
from greffier.api.errors import refused_response
from greffier.app import assistant, meetings, transcripts
from greffier.app.backends import submit
from greffier.config import Settings
from greffier.edit import SegmentEdit
from greffier.errors import (
    BrokerError,
    Gone,
    Invalid,
    NotFound,
    NotReady,
    Refused,
    Stale,
    Unreadable,
    Unsupported,
)
from greffier.jobs.models import MeetingOptions, TranscribeJob
from greffier.jobs.queue import CeleryQueue, EmbeddedQueue
from greffier.jobs.registry import create_job
from greffier.jobs.runner import JobRunner
from greffier.store import accounts
from greffier.store.accounts import Principal
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version
from greffier.store.models import Job, JobState, Meeting, MeetingStatus
from greffier.transcript import Segment, Transcript

TRANSCRIPT = Transcript(
    language="fr",
    duration=4.0,
    segments=(Segment(0, 0.0, 2.0, "Bonjour à tous."), Segment(1, 2.0, 4.0, "On commence.")),
)


def _services(tmp_path: Path, **settings: object) -> Services:
    config = Settings(data_dir=tmp_path, **settings)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    blobs = BlobStore(config.blobs_dir)
    runner = JobRunner(config, db, blobs)
    return Services(config, db, blobs, runner, EmbeddedQueue(runner, workers=0))


def _principal(services: Services, name: str) -> Principal:
    accounts.create_organisation(services.db, name)
    accounts.create_user(services.db, f"ana@{name}.example", name)
    principal = accounts.authenticate(services.db, accounts.create_token(services.db, f"ana@{name}.example"))
    assert principal is not None
    return principal


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = _services(tmp_path)
    yield services
    services.db.dispose()


def _meeting(services: Services, principal: Principal, transcript: Transcript | None = TRANSCRIPT) -> Meeting:
    with services.db.write() as session:
        meeting = Meeting(
            organisation_id=principal.organisation_id,
            created_by=principal.user_id,
            title="Réunion d'équipe",
            filename="r.wav",
            audio_key="k",
            audio_bytes=1,
            options={},
        )
        session.add(meeting)
        session.flush()
        create_job(
            session,
            services.settings,
            organisation_id=principal.organisation_id,
            meeting_id=meeting.id,
            job=TranscribeJob(),
        )
    if transcript is not None:
        add_version(services.db, meeting.id, transcript.to_dict(), author="transcribe")
    return meeting


@pytest.mark.parametrize(
    ("document", "refusal", "kind", "param"),
    [
        (b"{not json", Unreadable, "invalid_json", None),
        (b'{"language": "fr", "duration": NaN}', Unreadable, "invalid_json", None),
        (b'{"language": "\\ud800", "duration": 1}', Unreadable, "invalid_json", None),
        (b"[" * 1000 + b"]" * 1000, Unreadable, "invalid_json", None),
        (b"[1, 2]", Invalid, "invalid_request_error", None),
        (b'{"language": "fr"}', Invalid, "invalid_transcript", "duration"),
        (b'{"language": "fr", "duration": "1"}', Invalid, "invalid_transcript", "duration"),
        (b'{"language": "fr", "duration": 1e400}', Invalid, "invalid_transcript", "duration"),
        (
            b'{"language": "fr", "duration": 1, "metadata": {"x": [1e400]}}',
            Invalid,
            "invalid_transcript",
            "metadata",
        ),
        (
            b'{"language": "fr", "duration": 2, "segments": [{"id": 0, "start": 1, "end": 0.5, "text": "a"}]}',
            Invalid,
            "invalid_transcript",
            "segments.0",
        ),
        (b'{"language": "fr", "duration": 1, "source": "a\\u0007"}', Invalid, "invalid_transcript", None),
    ],
    ids=[
        "not json",
        "NaN",
        "lone surrogate",
        "deep",
        "not an object",
        "no duration",
        "text for a number",
        "infinite",
        "metadata",
        "end before start",
        "control character",
    ],
)
def test_a_client_transcript_is_refused_with_what_is_wrong(
    document: bytes, refusal: type[Refused], kind: str, param: str | None
) -> None:
    with pytest.raises(refusal) as caught:
        transcripts.read_transcript(document)
    assert type(caught.value) is refusal and caught.value.kind == kind and caught.value.param == param
    assert caught.value.fix


def test_a_client_transcript_is_read_as_stored() -> None:
    document = json.dumps(TRANSCRIPT.to_dict()).encode()  # with its derived "text"
    assert transcripts.read_transcript(document) == TRANSCRIPT
    assert Transcript.from_json(document) == Transcript.from_dict(TRANSCRIPT.to_dict()) == TRANSCRIPT


def test_if_match_saves_only_onto_the_version_it_names(services: Services) -> None:
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana)
    edited = Transcript.from_dict({**TRANSCRIPT.to_dict(), "language": "en"})
    row = transcripts.save_transcript(services, ana, meeting.id, edited, '"1"')
    assert (row.version, row.author, row.body["language"]) == (2, ana.email, "en")
    with pytest.raises(Stale, match='now at version 2, not "1"') as caught:
        transcripts.save_transcript(services, ana, meeting.id, TRANSCRIPT, '"1"')
    assert caught.value.kind == "version_conflict"
    assert transcripts.save_transcript(services, ana, meeting.id, TRANSCRIPT).version == 3  # no If-Match
    other = _principal(services, "globex")
    with pytest.raises(NotFound, match="in your organisation"):
        transcripts.save_transcript(services, other, meeting.id, TRANSCRIPT)
    assert [v.version for v in meetings.list_versions(services, ana, meeting.id)] == [1, 2, 3]


def test_corrections_are_a_new_version_or_an_invalid_edit(services: Services) -> None:
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana)
    row = transcripts.correct_transcript(services, ana, meeting.id, [SegmentEdit(1, "On démarre.")], {})
    assert row.version == 2 and row.body["text"] == "Bonjour à tous. On démarre."
    with pytest.raises(Invalid) as caught:
        transcripts.correct_transcript(services, ana, meeting.id, [SegmentEdit(7, "x")], {}, '"2"')
    assert caught.value.kind == "invalid_edit" and "7" in caught.value.problem
    with pytest.raises(Stale):
        transcripts.correct_transcript(services, ana, meeting.id, [SegmentEdit(1, "x")], {}, '"1"')


def test_a_transcript_that_is_not_there_says_why(services: Services) -> None:
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana, transcript=None)
    with pytest.raises(NotReady, match=r"not ready yet \(queued, 0% done\)") as caught:
        meetings.load_version(services, ana, meeting.id)
    assert caught.value.kind == "not_ready"
    with services.db.write() as session:
        session.execute(sa.update(Job).values(state=JobState.FAILED, error="no audio stream"))
    with pytest.raises(NotReady, match="no audio stream") as caught:
        meetings.load_version(services, ana, meeting.id)
    assert caught.value.kind == "transcription_failed"
    with pytest.raises(NotFound, match="no transcript version 3"):
        meetings.load_version(services, ana, meeting.id, 3)
    with pytest.raises(NotFound):
        meetings.load_version(services, ana, uuid.uuid4())


def test_an_export_is_the_version_asked_for_with_its_meeting(services: Services) -> None:
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana)
    transcripts.save_transcript(
        services, ana, meeting.id, Transcript("fr", 1.0, (Segment(0, 0, 1, "Plus tard."),))
    )
    file = transcripts.export_transcript(services, ana, meeting.id, "txt", 1)
    assert (file.meeting.title, file.version, file.media_type) == (
        meeting.title,
        1,
        export.MEDIA_TYPES["txt"],
    )
    assert file.content == export.render(TRANSCRIPT, "txt")
    assert "Plus tard." in str(transcripts.export_transcript(services, ana, meeting.id, "txt").content)


def test_an_upload_that_is_not_a_recording_leaves_nothing(services: Services, tmp_path: Path) -> None:
    ana = _principal(services, "acme")
    page = tmp_path / "notes.html"
    page.write_bytes(b"<html><script>alert(1)</script></html>")
    with page.open("rb") as source, pytest.raises(Unsupported) as caught:
        meetings.create_meeting(
            services, ana, source, "../../notes.html", title=None, options=MeetingOptions()
        )
    assert caught.value.param == "file" and "'notes.html'" in caught.value.problem
    assert str(services.blobs.root) not in caught.value.problem
    with pytest.raises(Unreadable) as empty, page.open("rb") as source:
        source.read()
        meetings.create_meeting(services, ana, source, "r.wav", title=None, options=MeetingOptions())
    assert empty.value.kind == "empty_file"
    assert meetings.list_meetings(
        services, ana, title=None, text=None, created_from=None, created_to=None, limit=20, offset=0
    ) == ([], 0)
    assert not any(services.blobs.root.rglob("*.*"))


def test_a_job_the_broker_cannot_take_is_failed(tmp_path: Path) -> None:
    services = _services(tmp_path, broker_url="redis://127.0.0.1:1/0")  # nothing listens on port 1
    services.queue = CeleryQueue(services.runner)
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana)
    with services.db.read() as session:
        job = session.scalars(sa.select(Job)).one()
    with pytest.raises(BrokerError, match="cannot be reached"):
        submit(services, job)
    with services.db.read() as session:
        failed, stored = session.get(Job, job.id), session.get(Meeting, meeting.id)
    assert (
        failed is not None and failed.state == JobState.FAILED and "cannot be reached" in (failed.error or "")
    )
    assert stored is not None and stored.status == MeetingStatus.FAILED  # a transcription: its meeting too
    services.db.dispose()


def test_questions_and_minutes_are_jobs_of_the_latest_version(services: Services) -> None:
    ana = _principal(services, "acme")
    meeting = _meeting(services, ana)
    for question in ("  ", "what\x07?"):
        with pytest.raises(Invalid) as caught:
            assistant.ask_question(services, ana, meeting.id, question)
        assert caught.value.param == "question"
    transcripts.save_transcript(services, ana, meeting.id, TRANSCRIPT)
    asked = assistant.ask_question(services, ana, meeting.id, " Qui  commence ? ")
    assert asked.answer is None and asked.job.payload == {"question": "Qui commence ?", "version": 2}
    assert assistant.get_question(services, ana, meeting.id, asked.job.id).job.id == asked.job.id
    assert [q.job.id for q in assistant.list_questions(services, ana, meeting.id)] == [asked.job.id]
    with pytest.raises(NotFound, match="no minutes yet"):
        assistant.minutes_file(services, ana, meeting.id, "md")
    job = assistant.write_minutes(services, ana, meeting.id)
    assert job.payload == {"version": 2} and assistant.write_minutes(services, ana, meeting.id).id == job.id
    with pytest.raises(NotFound, match="being written") as caught:
        assistant.minutes_file(services, ana, meeting.id, "md")
    assert caught.value.kind == "not_ready" and caught.value.job is not None


@pytest.mark.parametrize(
    ("refusal", "status"),
    [
        (Unreadable, 400),
        (NotFound, 404),
        (NotReady, 409),
        (Gone, 410),
        (Stale, 412),
        (Unsupported, 415),
        (Invalid, 422),
    ],
)
def test_the_api_answers_each_refusal_with_its_status(refusal: type[Refused], status: int) -> None:
    response = refused_response(refusal("the problem", "the fix", param="field"))
    body = json.loads(bytes(response.body))
    assert response.status_code == status
    assert body["error"] == {
        "type": refusal.kind,
        "message": "the problem — the fix",
        "fix": "the fix",
        "param": "field",
    }


def test_the_application_layer_imports_no_adapter_and_not_the_job_runner() -> None:
    """The API, the CLI and the task types call `greffier.app`, never the other way: the use-cases
    queue jobs through the `JobSubmitter` port, so `jobs.tasks -> app` makes no cycle."""
    import ast

    import greffier.app

    forbidden = (
        "greffier.api",
        "greffier.cli",
        "greffier.jobs.queue",
        "greffier.jobs.runner",
        "greffier.jobs.tasks",
    )
    found = []
    for path in sorted(Path(greffier.app.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.name}: {n}" for n in names if n.startswith(forbidden)]
    assert found == []
    assert len(list(Path(greffier.app.__file__).parent.glob("*.py"))) > 10
