"""POST /api/questions against a real `greffier serve` (two organisations, no language model: the
answer is the passages search found, the mode a per-meeting question falls back to): the question is
a job of the `llm` queue about no single meeting, its passages come from the right meeting of the
asker's organisation only (the other one holds the same words), the filters narrow them, bad
questions say what to fix, and a meeting deleted since is left out of the answer. The answer of the
model itself, grounded in one meeting, is in test_minutes_api.py."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx

from conftest import eval_file
from servers import Service, seed_account, service_env, upload, wait_job

PORTS = range(19300, 19400)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"
NOT_SAID = "Ce n'est pas dit dans ces réunions."


def _transcript(*lines: str) -> dict[str, Any]:
    return {
        "language": "fr",
        "duration": 10.0 * len(lines),
        "segments": [
            {"id": i, "start": 10.0 * i, "end": 10.0 * i + 9, "text": text, "speaker": f"S{i % 2 + 1}"}
            for i, text in enumerate(lines)
        ],
        "speakers": [{"id": "S1", "name": "Anne"}, {"id": "S2"}],
    }


BUDGET = _transcript(
    "Bonjour à tous, on ouvre la réunion du budget.",
    "Les pompiers réclament deux camions supplémentaires pour l'été.",
    "La préfecture répondra vendredi.",
)
SCHOOL = _transcript(
    "Le conseil de classe commence.",
    "La cantine servira des repas végétariens le mardi.",
)


def _meeting(client: httpx.Client, title: str, transcript: dict[str, Any]) -> str:
    created = upload(client, eval_file(SHORT), language="fr", title=title)
    assert wait_job(client, created["job"]["id"])["state"] == "succeeded"
    saved = client.put(
        f"/api/meetings/{created['id']}/transcript", json=transcript, headers={"If-Match": '"1"'}
    )
    assert saved.status_code == 200, saved.text
    return created["id"]


def _answered(client: httpx.Client, **body: Any) -> dict[str, Any]:
    asked = client.post("/api/questions", json=body)
    assert asked.status_code == 202, asked.text
    assert wait_job(client, asked.json()["job"]["id"])["state"] == "succeeded"
    got = client.get(f"/api/questions/{asked.json()['id']}")
    assert got.status_code == 200, got.text
    return got.json()


def test_questions_across_meetings(tmp_path: Path) -> None:
    token = seed_account(tmp_path, "acme", "ana@acme.example", "correct horse battery")
    other = seed_account(tmp_path, "globex", "bob@globex.example", "another long password")
    env = service_env(tmp_path, llm_backend="none")
    service = Service(env, tmp_path / "serve.log", ports=PORTS).start()
    try:
        with service.client(token) as ana, service.client(other) as bob:
            budget = _meeting(ana, "Budget", BUDGET)
            school = _meeting(ana, "Conseil de classe", SCHOOL)
            theirs = _meeting(bob, "Budget", BUDGET)  # the same words, in the other organisation

            # a job of the llm queue about no single meeting; the answer: the passages found
            asked = ana.post("/api/questions", json={"question": "  Combien de camions pour les pompiers ?"})
            assert asked.status_code == 202, asked.text
            question = asked.json()
            assert question["question"] == "Combien de camions pour les pompiers ?"
            assert question["answer"] is None and question["from"] is None and question["meeting"] is None
            job = question["job"]
            assert job["kind"] == "ask_all" and "meeting_id" not in job, "about no single meeting"
            assert asked.headers["location"] == f"/api/jobs/{job['id']}"
            assert wait_job(ana, job["id"])["state"] == "succeeded"
            answer = ana.get(f"/api/questions/{question['id']}").json()["answer"]
            assert not answer["found"] and "llm_backend" in answer["notice"]
            assert answer["passages"][0]["meeting_id"] == budget
            assert answer["passages"][0]["meeting_title"] == "Budget"
            assert "camions" in answer["passages"][0]["text"]
            assert {p["meeting_id"] for p in answer["passages"]} <= {budget, school}, "never globex's"
            listed = ana.get("/api/questions").json()
            assert [q["id"] for q in listed] == [question["id"]] and listed[0]["answer"] == answer

            # the filters: one meeting, the speaker, the dates
            both = "Combien de camions pour la cantine ?"
            assert {p["meeting_id"] for p in _answered(ana, question=both)["answer"]["passages"]} == {
                budget,
                school,
            }
            only = _answered(ana, question=both, meeting=school)["answer"]
            assert {p["meeting_id"] for p in only["passages"]} == {school}
            assert _answered(ana, question="pompiers camions", speaker="anne")["answer"]["passages"]
            nobody = _answered(ana, question="pompiers camions", speaker="Paul")["answer"]
            assert nobody["answer"] == NOT_SAID and nobody["passages"] == []
            later = _answered(ana, question="Combien de camions ?", **{"from": "2999-01-01T00:00:00"})
            assert later["from"] == "2999-01-01T00:00:00Z"
            assert later["answer"]["answer"] == NOT_SAID and later["answer"]["passages"] == []

            # the other organisation sees none of it, and cannot name acme's meeting
            assert bob.get("/api/questions").json() == []
            assert bob.get(f"/api/questions/{question['id']}").status_code == 404
            mine = bob.post("/api/questions", json={"question": "pompiers ?", "meeting": budget})
            assert mine.status_code == 404 and mine.json()["error"]["param"] == "meeting"
            theirs_answer = _answered(bob, question="Combien de camions pour les pompiers ?")["answer"]
            assert {p["meeting_id"] for p in theirs_answer["passages"]} == {theirs}

            # bad questions: 422 with the fix, nothing queued
            for body, expected in (
                ({"question": "   "}, "the question is empty"),
                ({"question": "qui\u0000 ?"}, "control or invalid character"),
                ({"question": "x", "from": "2030-01-01", "to": "2020-01-01"}, "not before its 'to'"),
                ({"question": "x", "from": 1767225600}, "ISO 8601 date-time string"),
                ({"question": "x" * 501}, "at most 500 characters"),
            ):
                refused = ana.post("/api/questions", json=body)
                assert refused.status_code == 422, refused.text
                error = refused.json()["error"]
                assert expected in error["message"] and error["fix"], error
            assert len(ana.get("/api/questions").json()) == 6, "nothing was asked"
            assert ana.get(f"/api/questions/{uuid.uuid4()}").status_code == 404
            assert ana.get(f"/api/questions/{job['id']}x").status_code == 422
            assert httpx.post(f"{service.url}/api/questions", json={"question": "x"}).status_code == 401

            # a meeting deleted since: its passages are no longer in the answer
            assert ana.delete(f"/api/meetings/{budget}").status_code == 204
            answer = ana.get(f"/api/questions/{question['id']}").json()["answer"]
            assert budget not in {p["meeting_id"] for p in answer["passages"]}
    finally:
        service.stop()
