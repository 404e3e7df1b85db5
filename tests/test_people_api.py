"""/api/people on a real `greffier serve` (SQLite): a member may list and forget but not enrol; an
admin enrols a meeting's speaker (consent required) and a sample; an upload with `identify` names the
speaker in another excerpt of the same meeting; another organisation's ids answer 404; the API never
returns a print; a forgotten print is gone from the database file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from greffier.store import accounts
from greffier.store.db import Database
from servers import two_organisations, upload, wait_job
from tests.conftest import eval_file

PORTS = range(18950, 18990)
ENROL = "ami-debug-train/trn06.wav"  # FEE083 talks alone 22 s of its 30
OTHER = "ami-debug-train/trn09.wav"  # FEE083 again, another excerpt of the meeting
SHORT = "ami-debug-train/trn02.wav"  # one turn of 0.7 s
CONSENT = {"consent_by": "dpo@acme.example"}


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[httpx.Client, httpx.Client, httpx.Client, Path]]:
    data = tmp_path_factory.mktemp("people-api")
    with two_organisations(data, PORTS) as (service, token, other):
        db = Database(f"sqlite:///{data / 'greffier.db'}")
        accounts.create_user(db, "max@acme.example", "acme")  # a member: ana is acme's admin
        member = accounts.create_token(db, "max@acme.example")
        db.dispose()
        with service.client(token) as admin, service.client(member) as max_, service.client(other) as globex:
            yield admin, max_, globex, data / "greffier.db"


def _meeting(client: httpx.Client, path: Path, **form: str) -> tuple[str, dict]:
    meeting = upload(client, path, language="en", **form)
    job = wait_job(client, meeting["job"]["id"], timeout=600)
    assert job["state"] == "succeeded", job
    return meeting["id"], client.get(f"/api/meetings/{meeting['id']}/transcript").json()


def _longest_speaker(transcript: dict) -> str:
    seconds: dict[str, float] = {}
    for segment in transcript["segments"]:
        seconds[segment["speaker"]] = seconds.get(segment["speaker"], 0) + segment["end"] - segment["start"]
    return max(seconds, key=seconds.__getitem__)


def test_enrol_identify_and_forget_through_the_api(served) -> None:
    admin, member, globex, db_file = served
    meeting_id, transcript = _meeting(admin, eval_file(ENROL), diarize="true")
    speaker = _longest_speaker(transcript)
    enrol = f"/api/meetings/{meeting_id}/people"
    body = {"speaker": speaker, "name": "Marie Dupont", **CONSENT}

    refused = member.post(enrol, json=body)
    assert refused.status_code == 403 and "admin" in refused.json()["error"]["message"], refused.text
    no_consent = admin.post(enrol, json={"speaker": speaker, "name": "Marie Dupont"})
    assert no_consent.status_code == 422 and "consent_by" in no_consent.text
    unknown = admin.post(enrol, json=body | {"speaker": "SPEAKER_99"})
    assert unknown.status_code == 422 and speaker in unknown.json()["error"]["message"] + unknown.text
    assert globex.post(enrol, json=body).status_code == 404

    enrolled = admin.post(enrol, json=body)
    assert enrolled.status_code == 201, enrolled.text
    person = enrolled.json()
    assert person["name"] == "Marie Dupont" and person["prints"] == 1
    assert person["consent"]["given_by"] == "dpo@acme.example"
    assert person["consent"]["recorded_by"] == "ana@acme.example"
    assert set(person) == {"id", "name", "email", "prints", "consent", "created"}  # never a vector

    with open(eval_file(SHORT), "rb") as short:
        too_short = admin.post(
            "/api/people", files={"file": ("s.wav", short)}, data={"name": "Bob", **CONSENT}
        )
    assert too_short.status_code == 422 and "needs 10 s" in too_short.json()["error"]["message"]
    with open(eval_file(ENROL), "rb") as sample:
        second = admin.post(
            "/api/people", files={"file": ("room.wav", sample)}, data={"name": "Marie Dupont", **CONSENT}
        )
    assert second.status_code == 201 and second.json()["prints"] == 2, second.text

    listing = member.get("/api/people").json()
    assert [p["name"] for p in listing] == ["Marie Dupont"]
    assert globex.get("/api/people").json() == []
    assert globex.delete(f"/api/people/{person['id']}").status_code == 404

    _, named = _meeting(admin, eval_file(OTHER), identify="true")
    found = [s for s in named["speakers"] if s.get("person_id")]
    assert [(s["name"], s["person_id"]) for s in found] == [("Marie Dupont", person["id"])]
    assert found[0]["score"] >= 0.75
    _, globex_named = _meeting(globex, eval_file(OTHER), identify="true")
    assert not any(s.get("person_id") for s in globex_named["speakers"]), "acme's people named in globex"

    with sqlite3.connect(db_file) as connection:
        vectors = [v for (v,) in connection.execute("SELECT vector FROM voiceprints")]
    assert len(vectors) == 2
    assert member.delete(f"/api/people/{person['id']}").status_code == 204  # a member may withdraw
    assert admin.get("/api/people").json() == []
    assert member.delete(f"/api/people/{person['id']}").status_code == 404
    on_disk = db_file.read_bytes() + (
        db_file.with_name("greffier.db-wal").read_bytes()
        if db_file.with_name("greffier.db-wal").exists()
        else b""
    )
    assert not any(v[:64] in on_disk for v in vectors), "a forgotten print's bytes are still in the file"
