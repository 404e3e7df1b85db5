"""The meeting assistant over HTTP against `greffier serve`, with the real packaged model: minutes and
questions are jobs (never inside a request), their results are kept with the meeting, retried jobs
store nothing twice, bad input gets a 422 that says what to fix, and other organisations see nothing.
A question across the organisation's meetings (this one and a class council) is answered from this
one, citing it and its span, and withdrawn once it is deleted.

The recording is SPPAS `F_F_B003-P8` (21 s, French, read): the narrator let the cat out, the door
slammed behind him, and he was arrested while forcing his own door.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from docx import Document

from conftest import eval_file
from greffier.assist.grounding import normalize
from greffier.config import Settings
from greffier.jobs.runner import JobRunner
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import meeting_prefix
from greffier.store.models import Job, JobState, utcnow
from servers import Service, two_organisations, upload, wait_job

RECORDING = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"
OTHER_RECORDING = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # "Une classe entière…"
PORTS = range(18600, 18650)
LLM_JOB_S = 900  # two shared cores: the model may wait for a CPU slot


@dataclass
class Server:
    service: Service
    data: Path
    token: str
    other_token: str

    def client(self, token: str | None = None) -> httpx.Client:
        return self.service.client(token or self.token)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("minutes-api")
    with two_organisations(data, PORTS) as (service, token, other):
        yield Server(service, data, token, other)


@pytest.fixture(scope="module")
def meeting(server: Server) -> dict:
    with server.client() as client:
        created = upload(client, eval_file(RECORDING), language="fr", title="La porte")
        assert wait_job(client, created["job"]["id"], timeout=300)["state"] == "succeeded"
        transcript = client.get(f"/api/meetings/{created['id']}/transcript").json()
        assert "porte" in transcript["text"]
        return {**created, "transcript": transcript}


@pytest.fixture(scope="module")
def minutes(server: Server, meeting: dict) -> dict:
    """The minutes job, posted twice while it runs, followed to the end; then GET /minutes."""
    url = f"/api/meetings/{meeting['id']}/minutes"
    with server.client() as client:
        none = client.get(url)
        assert none.status_code == 404 and f"POST {url}" in none.json()["error"]["fix"]
        response = client.post(url)
        assert response.status_code == 202, response.text
        job = response.json()
        assert job["kind"] == "minutes" and response.headers["location"] == f"/api/jobs/{job['id']}"
        again = client.post(url)
        pending = client.get(url)
        seen = client.get(f"/api/meetings/{meeting['id']}").json()
        finished = wait_job(client, job["id"], timeout=LLM_JOB_S)
        assert finished["state"] == "succeeded", finished
        got = client.get(url)
        assert got.status_code == 200, got.text
        return {
            "job": job,
            "again": again,
            "pending": pending,
            "meeting_while_running": seen,
            "body": got.json(),
        }


def test_the_minutes_are_a_job_of_their_own(minutes: dict, meeting: dict) -> None:
    job = minutes["job"]
    assert minutes["again"].status_code == 202 and minutes["again"].json()["id"] == job["id"], (
        "a second request while the minutes are being written joins the same job"
    )
    pending = minutes["pending"]
    if pending.status_code == 404:  # not written yet: says which job to follow
        assert pending.json()["error"]["type"] == "not_ready" and pending.json()["job"]["id"] == job["id"]
    else:
        assert pending.status_code == 200  # the job was already done
    seen = minutes["meeting_while_running"]  # the meeting stays transcribed and shows its transcription
    assert seen["status"] == "done" and seen["job"]["kind"] == "transcribe"


def test_minutes_are_written_by_the_model_and_point_into_the_transcript(minutes: dict, meeting: dict) -> None:
    body = minutes["body"]
    assert (body["transcript_version"], body["latest_version"]) == (1, 1)
    assert body["job_id"] == minutes["job"]["id"] and body["job"]["state"] == "succeeded"
    m = body["minutes"]
    assert m["llm"].startswith("llama.cpp/") and m["language"] == "fr" and m["summary"]
    assert any(w in normalize(f"{m['title']} {m['summary']}") for w in ("porte", "chat", "dehors", "enferme"))
    segments = {s["id"]: s for s in meeting["transcript"]["segments"]}
    claims = [*m["decisions"], *m["action_items"], *m["open_questions"]]
    for claim in claims:
        for span in claim["spans"]:
            inside = [segments[i] for i in span["segment_ids"]]
            assert (span["start"], span["end"]) == (inside[0]["start"], inside[-1]["end"])
    assert m["topics"], "a topic with its time range"
    for topic in m["topics"]:
        assert 0 <= topic["start"] < topic["end"] <= meeting["transcript"]["duration"] + 0.01
    g = m["grounding"]
    assert g["proposed"] == g["kept"] + len(g["rejected"]) and g["kept"] == len(claims)


def test_the_minutes_download_as_markdown_word_and_json(server: Server, meeting: dict, minutes: dict) -> None:
    url = f"/api/meetings/{meeting['id']}/minutes"
    m = minutes["body"]["minutes"]
    with server.client() as client:
        md = client.get(f"{url}/md")
        assert md.headers["content-type"].startswith("text/markdown")
        assert md.text.startswith(f"# {m['title']}") and "## Résumé" in md.text
        assert 'filename="La_porte___minutes.md"' in md.headers["content-disposition"]
        docx = client.get(f"{url}/docx")
        assert Document(io.BytesIO(docx.content)).paragraphs[0].text == m["title"]
        assert client.get(f"{url}/json").json() == m
        unknown = client.get(f"{url}/pdf")
        assert unknown.status_code == 422 and "md" in unknown.json()["error"]["message"]


def test_a_retried_minutes_job_stores_nothing_twice(server: Server, meeting: dict, minutes: dict) -> None:
    """The worker is lost after storing the minutes: the job runs again, finds them, and is done."""
    job_id = uuid.UUID(minutes["job"]["id"])
    settings = Settings(data_dir=server.data, llm_backend="none")  # a model call would be a bug here
    db = Database(f"sqlite:///{server.data / 'greffier.db'}")
    blobs = BlobStore(settings.blobs_dir)
    try:
        with db.read() as session:
            organisation = session.get(Job, job_id).organisation_id
        folder = blobs.path(f"{meeting_prefix(organisation, uuid.UUID(meeting['id']))}/minutes")
        before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
        assert sorted(before) == sorted(f"{job_id.hex}.{fmt}" for fmt in ("docx", "json", "md"))
        with db.write() as session:  # as the runner finds a job whose worker died
            session.execute(
                sa.update(Job)
                .where(Job.id == job_id)
                .values(
                    state=JobState.RUNNING, worker="elsewhere:1:t", heartbeat=utcnow() - timedelta(hours=1)
                )
            )
        JobRunner(settings, db, blobs).run(job_id)
        with db.read() as session:
            job = session.get(Job, job_id)
            assert (job.state, job.attempts) == (JobState.SUCCEEDED, 2), job.error
        assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before
        JobRunner(settings, db, blobs).run(job_id)  # a second delivery of a finished job: nothing
        with db.read() as session:
            assert session.get(Job, job_id).attempts == 2
    finally:
        db.dispose()
    with server.client() as client:
        assert (
            client.get(f"/api/meetings/{meeting['id']}/minutes").json()["minutes"]
            == minutes["body"]["minutes"]
        )


def test_a_question_is_answered_with_its_evidence_and_kept(
    server: Server, meeting: dict, minutes: dict
) -> None:
    url = f"/api/meetings/{meeting['id']}/questions"
    with server.client() as client:
        asked = client.post(url, json={"question": "  Qu'est-ce qui a claqué derrière lui ?  "})
        assert asked.status_code == 202, asked.text
        question = asked.json()
        assert question["question"] == "Qu'est-ce qui a claqué derrière lui ?" and question["answer"] is None
        assert question["job"]["kind"] == "ask" and question["transcript_version"] == 1
        assert wait_job(client, question["job"]["id"], timeout=LLM_JOB_S)["state"] == "succeeded"
        answered = client.get(f"{url}/{question['id']}").json()
        answer = answered["answer"]
        assert answer["found"], answer
        assert "porte" in normalize(answer["answer"]), answer
        segments = {s["id"]: s for s in meeting["transcript"]["segments"]}
        said = " ".join(segments[i]["text"] for span in answer["spans"] for i in span["segment_ids"])
        assert "derriere moi" in normalize(said)  # "la porte claquer derrière moi"
        listed = client.get(url).json()
        assert [q["id"] for q in listed] == [question["id"]] and listed[0]["answer"] == answer
        assert client.get(f"{url}/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"question": ', "valid JSON"),
        (b'{"question": "   "}', "the question is empty"),
        (b'{"question": ""}', "at least 1 character"),
        (b"{}", "Field required"),
        (b'{"question": 12}', "valid string"),
        (json.dumps({"question": "x" * 501}).encode(), "at most 500 characters"),
        (json.dumps({"question": "qui\u0000 ?"}).encode(), "control or invalid character"),
        (b'{"question": "\\ud800"}', "unicode string"),  # a lone surrogate
    ],
)
def test_bad_questions_get_a_422_that_says_what_to_fix(
    server: Server, meeting: dict, body: bytes, expected: str
) -> None:
    url = f"/api/meetings/{meeting['id']}/questions"
    with server.client() as client:
        before = len(client.get(url).json())
        response = client.post(url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert expected in error["message"] and error["fix"], error
        assert len(client.get(url).json()) == before, "nothing was asked"


def test_minutes_say_when_they_come_from_an_older_version(
    server: Server, meeting: dict, minutes: dict
) -> None:
    url = f"/api/meetings/{meeting['id']}"
    with server.client() as client:
        first = meeting["transcript"]["segments"][0]
        edit = {"segments": [{"id": first["id"], "text": first["text"] + " Vraiment."}]}
        assert client.patch(f"{url}/transcript", json=edit).status_code == 200
        body = client.get(f"{url}/minutes").json()
        assert (body["transcript_version"], body["latest_version"]) == (1, 2)


def test_another_organisation_sees_nothing(server: Server, meeting: dict, minutes: dict) -> None:
    url = f"/api/meetings/{meeting['id']}"
    with server.client(server.other_token) as other:
        for response in (
            other.get(f"{url}/minutes"),
            other.get(f"{url}/minutes/md"),
            other.post(f"{url}/minutes"),
            other.get(f"{url}/questions"),
            other.post(f"{url}/questions", json={"question": "Qui ?"}),
            other.get(f"/api/jobs/{minutes['job']['id']}"),
        ):
            assert response.status_code == 404, response.text
            assert (
                "GET /api/meetings" in response.json()["error"]["fix"]
                or "job" in response.json()["error"]["fix"]
            )


@pytest.fixture(scope="module")
def across(server: Server, meeting: dict) -> dict:
    """A question asked across the organisation's two meetings (this one and a class council)."""
    with server.client() as client:
        other = upload(client, eval_file(OTHER_RECORDING), language="fr", title="Conseil de classe")
        assert wait_job(client, other["job"]["id"], timeout=300)["state"] == "succeeded"
        asked = client.post("/api/questions", json={"question": "Qu'est-ce qui a claqué derrière lui ?"})
        assert asked.status_code == 202, asked.text
        assert wait_job(client, asked.json()["job"]["id"], timeout=LLM_JOB_S)["state"] == "succeeded"
        return client.get(f"/api/questions/{asked.json()['id']}").json()


def test_a_question_across_meetings_is_answered_from_the_right_one(
    server: Server, meeting: dict, across: dict
) -> None:
    answer = across["answer"]
    assert answer["found"], answer
    assert "porte" in normalize(answer["answer"]), answer
    assert (answer["meeting_id"], answer["meeting_title"]) == (meeting["id"], "La porte")
    segments = {s["id"]: s for s in meeting["transcript"]["segments"]}
    said = " ".join(segments[i]["text"] for span in answer["spans"] for i in span["segment_ids"])
    assert "derriere moi" in normalize(said)  # "la porte claquer derrière moi"
    with server.client(server.other_token) as other:
        assert other.get(f"/api/questions/{across['id']}").status_code == 404


def test_deleting_the_meeting_deletes_its_minutes_and_questions(
    server: Server, meeting: dict, minutes: dict, across: dict
) -> None:
    url = f"/api/meetings/{meeting['id']}"
    with server.client() as client:
        questions = client.get(f"{url}/questions").json()
        assert questions, "the question asked above"
        assert client.delete(url).status_code == 204
        assert client.get(f"/api/jobs/{minutes['job']['id']}").status_code == 404
        assert client.get(f"/api/jobs/{questions[0]['job']['id']}").status_code == 404
        assert client.get(f"{url}/minutes").status_code == 404
        withdrawn = client.get(f"/api/questions/{across['id']}").json()["answer"]  # it rested on this one
        assert not withdrawn["found"] and "deleted" in withdrawn["notice"], withdrawn
        assert meeting["id"] not in {p["meeting_id"] for p in withdrawn["passages"]}
    meetings = list((server.data / "blobs").rglob(meeting["id"].replace("-", "")))
    assert meetings == [], meetings
