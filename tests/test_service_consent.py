"""Consent, licences and the dataset export through the API of a real `greffier serve` (SQLite, then a
real PostgreSQL): organisations apart, errors that name the fix, the export job's zip, and forget."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from bench.pii_corpus import gold_files, leaked, load
from dataset_seed import organisation_id, seed_meeting
from greffier.dataset.export import record_id
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.search import fold
from servers import Service, postgres, service_env, wait_for

CALLS = ("dj_2022_nrp", "dj_2022_ne_reagit_pas")
NRP_PATIENT_WORD = "professeur"  # said only by the caller in dj_2022_nrp
DATA = "data/train-00000-of-00001.jsonl"


@dataclass
class Server:
    service: Service
    db: Database
    token: str
    other_token: str
    meetings: dict[str, str]  # call -> meeting id

    def client(self, token: str | None = None) -> httpx.Client:
        return self.service.client(token or self.token)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp(f"consent-{request.param}")
    with postgres() if request.param == "postgresql" else nullcontext() as pg_url:
        url = pg_url or f"sqlite:///{data / 'greffier.db'}"
        db = Database(url)
        db.migrate()
        tokens = []
        for org in ("acme", "globex"):
            accounts.create_organisation(db, org)
            accounts.create_user(db, f"ana@{org}.example", org)
            tokens.append(accounts.create_token(db, f"ana@{org}.example"))
        acme = organisation_id(db, "acme")
        meetings = {call: str(seed_meeting(db, acme, load("simsamu", call), call)) for call in CALLS}
        env = service_env(data, **({"database_url": pg_url} if pg_url else {}))
        service = Service(env, data / "serve.log").start()
        try:
            yield Server(service, db, tokens[0], tokens[1], meetings)
        finally:
            service.stop()
            db.dispose()


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["fix"], error
    return error


def _wait_export(client: httpx.Client, export_id: str) -> dict:
    def done() -> dict | None:
        export = client.get(f"/api/dataset/exports/{export_id}").json()
        return export if export["state"] in ("succeeded", "failed") else None

    export = wait_for(done, 300, f"export {export_id}", interval=0.5)
    assert export["state"] == "succeeded", export
    return export


def _export(client: httpx.Client, **options: object) -> tuple[dict, bytes]:
    response = client.post("/api/dataset/exports", json=options)
    assert response.status_code == 202, response.text
    started = response.json()
    assert started["state"] == "queued" and started["job"]["kind"] == "dataset_export"
    assert response.headers["Location"] == f"/api/dataset/exports/{started['id']}"
    export = _wait_export(client, started["id"])
    archive = client.get(export["archive"])
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
    return export, archive.content


def test_licence_and_consents_of_a_meeting(server: Server) -> None:
    meeting = server.meetings[CALLS[0]]
    with server.client() as client:
        licence = client.get(f"/api/meetings/{meeting}/license").json()
        assert licence["license"] == "none" and licence["recorded_by"] is None
        assert [c["id"] for c in licence["choices"]] == ["cc-by-4.0", "cc-by-sa-4.0", "none"]
        saved = client.put(
            f"/api/meetings/{meeting}/license", json={"license": "cc-by-4.0", "source": "simsamu"}
        )
        assert saved.status_code == 200, saved.text
        assert (saved.json()["license"], saved.json()["recorded_by"]) == ("cc-by-4.0", "ana@acme.example")
        bad = _error(client.put(f"/api/meetings/{meeting}/license", json={"license": "cc-by-nc"}), 422)
        assert bad["param"] == "license" and "cc-by-4.0" in bad["message"]

        unknown = _error(
            client.post(
                f"/api/meetings/{meeting}/consents", json={"speaker": "SPEAKER_07", "status": "given"}
            ),
            422,
        )
        assert "'SPEAKER_07'" in unknown["message"] and "medecin, patient" in unknown["fix"]
        _error(
            client.post(f"/api/meetings/{meeting}/consents", json={"speaker": "medecin", "status": "maybe"}),
            422,
        )
        for status in ("given", "refused"):
            done = client.post(
                f"/api/meetings/{meeting}/consents",
                json={"speaker": "patient", "status": status, "person": "p-nrp"},
            )
            assert done.status_code == 201, done.text
        consents = client.get(f"/api/meetings/{meeting}/consents").json()
        by_speaker = {s["speaker"]: s for s in consents["speakers"]}
        assert set(by_speaker) == {"medecin", "patient"}
        assert by_speaker["medecin"]["status"] is None and by_speaker["medecin"]["name"] == "medecin"
        assert (by_speaker["patient"]["status"], by_speaker["patient"]["recorded_by"]) == (
            "refused",
            "ana@acme.example",
        )
        assert [h["status"] for h in consents["history"]] == ["given", "refused"]

    with server.client(server.other_token) as other:  # another organisation sees none of it
        for path in ("license", "consents"):
            _error(other.get(f"/api/meetings/{meeting}/{path}"), 404)
        _error(other.put(f"/api/meetings/{meeting}/license", json={"license": "none"}), 404)
        _error(
            other.post(f"/api/meetings/{meeting}/consents", json={"speaker": "medecin", "status": "given"}),
            404,
        )


def test_export_job_archive_and_forget(server: Server) -> None:
    first, second = (server.meetings[call] for call in CALLS)
    with server.client() as client:
        for meeting, licence in ((first, "cc-by-4.0"), (second, "cc-by-sa-4.0")):
            assert (
                client.put(f"/api/meetings/{meeting}/license", json={"license": licence}).status_code == 200
            )
            for speaker, status, person in (
                ("medecin", "given", "dr-l"),
                ("patient", "given", f"p-{meeting[:4]}"),
            ):
                client.post(
                    f"/api/meetings/{meeting}/consents",
                    json={"speaker": speaker, "status": status, "person": person},
                ).raise_for_status()
        client.post(
            f"/api/meetings/{first}/consents", json={"speaker": "patient", "status": "refused"}
        ).raise_for_status()

        export, archive = _export(client, format="jsonl", mask_refused=True)
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            assert z.namelist() == ["README.md", "checksums.sha256", DATA]
            manifest = z.read("checksums.sha256").decode()
            records = [json.loads(line) for line in z.read(DATA).decode().splitlines()]
        assert [f"{m['sha256']}  {m['path']}" for m in export["manifest"]] == manifest.splitlines()
        assert export["records"] == 2 and sorted(export["meetings"]) == sorted([first, second])
        assert "dr-l" in export["persons"] and f"p-{first[:4]}" not in export["persons"]
        text = "\n".join(r["text"] for r in records)
        assert NRP_PATIENT_WORD not in text and "[masqué]" in text
        gold = [f for f in gold_files() if f.name in CALLS]
        assert leaked(gold, text) == []

        again, same = _export(client, format="jsonl", mask_refused=True)
        assert same == archive and again["digest"] == export["digest"] and again["id"] != export["id"]
        only_sa, _ = _export(client, licenses=["cc-by-sa-4.0"])
        assert only_sa["records"] == 1 and only_sa["meetings"] == [second]
        _error(client.post("/api/dataset/exports", json={"format": "csv"}), 422)
        _error(client.post("/api/dataset/exports", json={"licenses": ["none"]}), 422)

        forgotten = client.post("/api/dataset/forget", json={"person": "dr-l"})
        assert forgotten.status_code == 200, forgotten.text
        body = forgotten.json()
        assert sorted(w["meeting_id"] for w in body["withdrawn"]) == sorted([first, second])
        assert {w["status"] for w in body["withdrawn"]} == {"withdrawn"}
        assert [e["id"] for e in body["exports"]] == [export["id"], again["id"], only_sa["id"]]
        after, _ = _export(client)
        assert (
            after["records"] == 1 and "dr-l" not in after["persons"]
        )  # only the second call's caller is left
        assert client.post("/api/dataset/forget", json={"person": "dr-l"}).json()["withdrawn"] == []
        _error(client.post("/api/dataset/forget", json={"person": ""}), 422)

    with server.client(server.other_token) as other:
        _error(other.get(f"/api/dataset/exports/{export['id']}"), 404)
        _error(other.get(f"/api/dataset/exports/{export['id']}/archive"), 404)
        assert other.post("/api/dataset/forget", json={"person": "dr-l"}).json() == {
            "person": "dr-l",
            "withdrawn": [],
            "exports": [],
        }


def test_deleting_a_meeting_deletes_its_consents(server: Server) -> None:
    acme = organisation_id(server.db, "acme")
    meeting = str(seed_meeting(server.db, acme, load("simsamu", CALLS[0]), "à effacer"))
    with server.client() as client:
        client.post(
            f"/api/meetings/{meeting}/consents", json={"speaker": "medecin", "status": "given"}
        ).raise_for_status()
        assert client.delete(f"/api/meetings/{meeting}").status_code == 204
        _error(client.get(f"/api/meetings/{meeting}/consents"), 404)


MARK, TITLE = "zorglubique", "Réunion Zorglub"  # in no other meeting


def test_erasing_a_meeting_withdraws_the_exports_that_held_it_and_leaves_no_trace(server: Server) -> None:
    acme = organisation_id(server.db, "acme")
    transcript = load("simsamu", CALLS[1])
    first, *rest = transcript.segments
    transcript = replace(transcript, segments=(replace(first, text=f"{first.text} {MARK}"), *rest))
    meeting = str(seed_meeting(server.db, acme, transcript, TITLE))
    with server.client() as client:
        before, _ = _export(client)  # made while the meeting was not shared: it stays
        assert (
            client.put(f"/api/meetings/{meeting}/license", json={"license": "cc-by-4.0"}).status_code == 200
        )
        for speaker in ("medecin", "patient"):
            client.post(
                f"/api/meetings/{meeting}/consents",
                json={"speaker": speaker, "status": "given", "person": f"z-{speaker}"},
            ).raise_for_status()
        held, archive = _export(client)
        assert meeting in held["meetings"] and held["withdrawn"] is None
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            assert MARK in z.read(DATA).decode()
            card = z.read("README.md").decode()
        assert "## Erasure" in card and "cannot recall" in card

        assert client.delete(f"/api/meetings/{meeting}").status_code == 204
        after = client.get(f"/api/dataset/exports/{held['id']}").json()
        assert after["withdrawn"] and after["archive"] is None
        assert meeting not in after["meetings"] and "z-medecin" not in after["persons"]
        assert (
            record_id(meeting) in after["withdrawn_reason"]
            and "cannot be recalled" in after["withdrawn_reason"]
        )
        gone = _error(client.get(f"/api/dataset/exports/{held['id']}/archive"), 410)
        assert "POST /api/dataset/exports" in gone["fix"]
        kept = client.get(f"/api/dataset/exports/{before['id']}").json()
        assert kept["withdrawn"] is None and client.get(kept["archive"]).status_code == 200
        again, archive = _export(client)
        assert meeting not in again["meetings"] and MARK.encode() not in archive
    if server.db.is_sqlite:  # neither the database file nor its write-ahead log holds the words
        database = Path(server.db.url.database)
        for path in (database, database.with_name(f"{database.name}-wal")):
            stored = path.read_bytes() if path.exists() else b""
            for words in (MARK, TITLE, fold(TITLE)):
                assert words.encode() not in stored, (path.name, words)
