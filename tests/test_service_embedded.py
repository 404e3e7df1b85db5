"""Embedded mode as a user runs it: `greffier serve` in a subprocess (SQLite, data folder, jobs in
threads), accounts made with `greffier admin`, HTTP calls with real recordings."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import hypothesis
import openai
import pytest
import schemathesis
import srt
from schemathesis.checks import not_a_server_error

from conftest import ROOT, eval_file, run_cli
from greffier import export
from greffier.api.app import create_app
from greffier.config import Settings
from greffier.store import accounts
from greffier.store.db import Database
from servers import Service, create_account, service_env, upload, wait_for, wait_job

SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s, "Une classe entière qui a bien vu…"
MEDIUM = "sppas-samples/samples/samples-fra/SR_track_631.wav"  # 10 s of conversation


@dataclass
class Embedded:
    service: Service
    data: Path
    token: str
    other_token: str

    def client(self, token: str | None = "own") -> httpx.Client:
        return self.service.client(self.token if token == "own" else token)


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    data = tmp_path_factory.mktemp("embedded")
    env = service_env(data, max_upload_mb=1, llm_backend="none")  # the model's own tests: test_minutes_api
    token = create_account(env, "acme", "ana@acme.example")
    db = Database(f"sqlite:///{data / 'greffier.db'}")  # a second organisation, made directly
    accounts.create_organisation(db, "globex")
    accounts.create_user(db, "bob@globex.example", "globex")
    other = accounts.create_token(db, "bob@globex.example")
    db.dispose()
    service = Service(env, data / "serve.log").start()
    try:
        yield Embedded(service, data, token, other)
    finally:
        service.stop()


@pytest.fixture(scope="module")
def transcribed(embedded: Embedded) -> dict:
    """A meeting of the first organisation, transcribed."""
    with embedded.client() as client:
        meeting = upload(client, eval_file(SHORT), language="fr", title="Conseil de classe")
        assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
        return client.get(f"/api/meetings/{meeting['id']}").json()


def _error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["message"] and error["fix"], error  # says what is wrong and what to do
    return error


def test_upload_transcribe_correct_export_delete(embedded: Embedded) -> None:
    with embedded.client() as client:
        meeting = upload(client, eval_file(SHORT), language="fr", title="Réunion du lundi")
        assert meeting["status"] == "queued" and meeting["job"]["state"] == "queued"
        assert meeting["duration"] == pytest.approx(2.33, abs=0.01)
        job = wait_job(client, meeting["job"]["id"])
        assert (job["state"], job["attempts"], job["progress"], job["stage"]) == ("succeeded", 1, 1.0, "asr")
        url = f"/api/meetings/{meeting['id']}"
        got = client.get(url).json()
        assert (got["status"], got["transcript_version"], got["language"]) == ("done", 1, "fr")

        response = client.get(f"{url}/transcript")
        assert response.headers["etag"] == '"1"'
        original = response.json()
        assert "classe" in original["text"].lower() and original["source"] == "AC track_0379.wav"
        assert original["segments"][0]["words"], "word timestamps are kept"

        corrected = dict(
            original, segments=[dict(original["segments"][0], text="Une classe entière l'a vu.")]
        )
        saved = client.put(f"{url}/transcript", json=corrected, headers={"If-Match": '"1"'})
        assert saved.status_code == 200 and saved.json()["version"] == 2, saved.text
        assert saved.json()["author"] == "ana@acme.example"
        _error(
            client.put(f"{url}/transcript", json=corrected, headers={"If-Match": '"1"'}), 412
        )  # stale edit
        assert client.get(f"{url}/transcript").json()["text"] == "Une classe entière l'a vu."
        assert client.get(f"{url}/transcript", params={"version": 1}).json()["text"] == original["text"]
        versions = client.get(f"{url}/transcript/versions").json()
        assert [(v["version"], v["author"], v["job_id"]) for v in versions] == [
            (1, "transcribe", job["id"]),
            (2, "ana@acme.example", None),
        ]

        for fmt in export.FORMATS:
            response = client.get(f"{url}/exports/{fmt}")
            assert response.status_code == 200, (fmt, response.text)
            assert response.headers["content-type"].split(";")[0] == export.MEDIA_TYPES[fmt].split(";")[0]
            assert f'filename="R_union_du_lundi.{fmt}"' in response.headers["content-disposition"]
            if fmt == "docx":
                assert response.content[:2] == b"PK"
            elif fmt == "json":
                assert response.json()["text"] == "Une classe entière l'a vu."
            elif fmt == "rttm":  # speaker turns only, no words
                assert all(line.startswith("SPEAKER ") for line in response.text.splitlines()), response.text
            else:
                assert "l'a vu" in response.text, fmt
        cues = list(srt.parse(client.get(f"{url}/exports/srt", params={"version": 1}).text))
        assert cues[0].content == original["segments"][0]["text"]

        folder = embedded.data / "blobs" / "orgs"
        assert any(folder.rglob(f"{uuid.UUID(meeting['id']).hex}/audio.wav"))
        assert client.delete(url).status_code == 204
        _error(client.get(url), 404)
        _error(client.get(f"{url}/transcript/versions"), 404)
        _error(client.get(f"/api/jobs/{job['id']}"), 404)
        assert not any(folder.rglob(uuid.UUID(meeting["id"]).hex)), "audio and derived files are erased"


def test_list_is_paged_and_filtered(embedded: Embedded, transcribed: dict) -> None:
    with embedded.client() as client:
        last = [
            upload(client, eval_file(SHORT), title=title, language="fr")
            for title in ("Comité A", "Comité B", "Bureau")
        ][-1]
        # the last one waits behind the others (one job thread): not ready, and the error says what to do
        for response in (
            client.get(f"/api/meetings/{last['id']}/exports/srt"),
            client.put(f"/api/meetings/{last['id']}/transcript", json={"language": "fr", "duration": 1}),
        ):
            assert "/api/jobs/" in _error(response, 409)["fix"]
        page = client.get("/api/meetings", params={"limit": 2}).json()
        assert len(page["items"]) == 2 and page["total"] >= 4 and page["limit"] == 2
        assert page["items"][0]["title"] == "Bureau"  # newest first
        rest = client.get("/api/meetings", params={"limit": 2, "offset": 2}).json()
        assert {m["id"] for m in rest["items"]}.isdisjoint(m["id"] for m in page["items"])
        found = client.get("/api/meetings", params={"title": "comité"}).json()
        assert sorted(m["title"] for m in found["items"]) == ["Comité A", "Comité B"] and found["total"] == 2
        created = transcribed["created"]
        since = client.get("/api/meetings", params={"created_from": created}).json()
        before = client.get("/api/meetings", params={"created_to": created}).json()
        assert transcribed["id"] in {m["id"] for m in since["items"]}
        assert transcribed["id"] not in {m["id"] for m in before["items"]}
        assert client.get("/api/meetings", params={"created_from": "2999-01-01"}).json()["total"] == 0


def _form(content: bytes, name: str = "a.wav", **data: str) -> dict:
    return {"files": {"file": (name, content)}, "data": data}


BAD_REQUESTS = [
    # (what, method, path, request kwargs, token, status, param)
    ("no token", "GET", "/api/meetings", {}, None, 401, None),
    ("wrong token", "GET", "/api/meetings", {}, "gfr_not-a-token", 401, None),
    ("no file", "POST", "/api/meetings", {"data": {"title": "x"}}, "own", 422, "file"),
    ("empty file", "POST", "/api/meetings", _form(b""), "own", 400, "file"),
    (
        "not audio",
        "POST",
        "/api/meetings",
        _form(b"hello, this is not a recording\n" * 50, "notes.wav"),
        "own",
        415,
        "file",
    ),
    ("too large", "POST", "/api/meetings", _form(b"\0" * (2 * 1024 * 1024)), "own", 413, None),
    ("unknown language", "POST", "/api/meetings", _form(b"RIFF", language="klingon"), "own", 422, "language"),
    ("zero speakers", "POST", "/api/meetings", _form(b"RIFF", speakers="0"), "own", 422, "speakers"),
    ("bad limit", "GET", "/api/meetings", {"params": {"limit": 0}}, "own", 422, "limit"),
    (
        "bad date",
        "GET",
        "/api/meetings",
        {"params": {"created_from": "yesterday"}},
        "own",
        422,
        "created_from",
    ),
    ("unknown meeting", "GET", f"/api/meetings/{uuid.uuid4()}", {}, "own", 404, None),
    ("malformed id", "GET", "/api/meetings/42", {}, "own", 422, "meeting_id"),
    ("unknown job", "GET", f"/api/jobs/{uuid.uuid4()}", {}, "own", 404, None),
    ("unknown endpoint", "GET", "/api/nothing", {}, "own", 404, None),
    ("wrong method", "PATCH", "/api/meetings", {}, "own", 405, None),
    (
        "openai: unknown format",
        "POST",
        "/v1/audio/transcriptions",
        _form(b"RIFF", response_format="xml"),
        "own",
        400,
        "response_format",
    ),
    (
        "openai: unknown granularity",
        "POST",
        "/v1/audio/transcriptions",
        _form(b"RIFF", response_format="verbose_json", **{"timestamp_granularities[]": "char"}),
        "own",
        400,
        "timestamp_granularities",
    ),
    (
        "openai: no file",
        "POST",
        "/v1/audio/transcriptions",
        {"data": {"model": "whisper-1"}},
        "own",
        422,
        "file",
    ),
]


@pytest.mark.parametrize(
    ("what", "method", "path", "kwargs", "token", "status", "param"),
    BAD_REQUESTS,
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_requests_get_a_4xx_that_says_what_to_fix(
    embedded: Embedded,
    what: str,
    method: str,
    path: str,
    kwargs: dict,
    token: str | None,
    status: int,
    param: str | None,
) -> None:
    with embedded.client(token) as client:
        error = _error(client.request(method, path, **kwargs), status)
    assert error["param"] == param


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"language": NaN, "duration": 1}', 400),
        (b"[1, 2]", 422),
        (b'{"language": "fr"}', 422),
        (b'{"language": "fr", "duration": "long"}', 422),
        (b'{"language": "\\ud800", "duration": 1}', 400),
        (
            b'{"language": "fr", "duration": 1, "segments": [{"id": 0, "start": 0, "end": 1, "text": "a\\u0000"}]}',
            422,
        ),
    ],
    ids=[
        "bad json",
        "NaN",
        "not an object",
        "no duration",
        "wrong type",
        "lone surrogate",
        "control character",
    ],
)
def test_bad_transcripts_are_refused(embedded: Embedded, transcribed: dict, body: bytes, status: int) -> None:
    with embedded.client() as client:
        url = f"/api/meetings/{transcribed['id']}/transcript"
        _error(client.put(url, content=body, headers={"Content-Type": "application/json"}), status)
        assert client.get(url).status_code == 200


def test_another_organisation_sees_nothing(embedded: Embedded, transcribed: dict) -> None:
    url = f"/api/meetings/{transcribed['id']}"
    with embedded.client(embedded.other_token) as other:
        assert other.get("/api/meetings").json()["total"] == 0
        for method, path in [
            ("GET", url),
            ("GET", f"{url}/transcript"),
            ("GET", f"{url}/transcript/versions"),
            ("GET", f"{url}/exports/txt"),
            ("PUT", f"{url}/transcript"),
            ("DELETE", url),
            ("GET", f"/api/jobs/{transcribed['job']['id']}"),
        ]:
            kwargs = {"json": {"language": "fr", "duration": 1.0}} if method == "PUT" else {}
            _error(other.request(method, path, **kwargs), 404)
    with embedded.client() as client:
        assert client.get(url).status_code == 200
        assert len(client.get(f"{url}/transcript/versions").json()) == 1


def test_minutes_and_answers_without_a_model_are_the_key_passages(
    embedded: Embedded, transcribed: dict
) -> None:
    url = f"/api/meetings/{transcribed['id']}"
    with embedded.client() as client:
        job = client.post(f"{url}/minutes").json()
        assert wait_job(client, job["id"])["state"] == "succeeded"
        minutes = client.get(f"{url}/minutes").json()["minutes"]
        assert minutes["llm"] is None and "llm_backend is 'none'" in minutes["notice"]
        passages = minutes["key_passages"]
        assert [p["span"]["segment_ids"] for p in passages] == [[0]] and "classe" in passages[0]["text"]
        assert "Passages clés" in client.get(f"{url}/minutes/md").text
        asked = client.post(f"{url}/questions", json={"question": "Qu'a vu la classe ?"}).json()
        assert wait_job(client, asked["job"]["id"])["state"] == "succeeded"
        answer = client.get(f"{url}/questions/{asked['id']}").json()["answer"]
        assert not answer["found"] and answer["spans"] == [], "no model: no answer is made up"
        assert answer["passages"][0]["span"]["segment_ids"] == [0]


def test_path_traversal_cannot_escape_the_data_folder(embedded: Embedded, tmp_path: Path) -> None:
    bait = tmp_path / "evil.wav"
    name = "../" * 12 + str(bait).lstrip("/")
    with embedded.client() as client, open(eval_file(SHORT), "rb") as audio:
        response = client.post("/api/meetings", files={"file": (name, audio)}, data={"title": "../../../x"})
        assert response.status_code == 202, response.text
        meeting = response.json()
        assert meeting["filename"] == "evil.wav" and "/" not in meeting["title"]
        for path in [
            "/api/meetings/..%2F..%2F..%2Fetc%2Fpasswd",
            "/api/meetings/%2e%2e/transcript",
            f"/api/meetings/{meeting['id']}/exports/..%2F..%2Fgreffier.db",
            "/api/jobs/..%2Fgreffier.db",
        ]:
            assert 400 <= client.get(path).status_code < 500, path
        wait_job(client, meeting["job"]["id"])
    assert not bait.exists()
    blobs = (embedded.data / "blobs").resolve()
    stored = [p for p in blobs.rglob("*") if p.is_file()]
    assert all(p.resolve().is_relative_to(blobs) for p in stored)
    mine = [p for p in stored if meeting["id"].replace("-", "") in p.parts]  # other tests store minutes too
    assert mine and all(p.name.startswith("audio") for p in mine), mine


def test_openai_client_works_unchanged(embedded: Embedded) -> None:
    client = openai.OpenAI(base_url=f"{embedded.service.url}/v1", api_key=embedded.token, max_retries=0)
    audio = eval_file(SHORT).read_bytes()

    def transcribe(**options: object) -> object:
        return client.audio.transcriptions.create(model="whisper-1", file=("a.wav", audio), **options)

    with embedded.client() as api:
        before = api.get("/api/meetings").json()["total"]
        assert "classe" in transcribe(language="fr").text.lower()
        verbose = transcribe(response_format="verbose_json", timestamp_granularities=["word", "segment"])
        assert verbose.language == "fr" and verbose.duration == pytest.approx(2.33, abs=0.01)
        assert verbose.words and verbose.words[0].start < verbose.words[-1].end <= verbose.duration + 0.1
        assert verbose.segments and verbose.segments[0].text
        assert transcribe(response_format="text").strip().lower().startswith("une classe")
        assert next(iter(srt.parse(transcribe(response_format="srt")))).content
        assert transcribe(response_format="vtt").startswith("WEBVTT")
        with pytest.raises(openai.BadRequestError, match="response_format"):
            transcribe(response_format="xml")
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(
                base_url=f"{embedded.service.url}/v1", api_key="wrong", max_retries=0
            ).audio.transcriptions.create(model="whisper-1", file=("a.wav", audio))
        assert api.get("/api/meetings").json()["total"] == before, "the OpenAI endpoint keeps nothing"


def test_openapi_schema_is_committed_and_current() -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == create_app(Settings()).openapi(), (
        "docs/openapi.json is stale: regenerate it with `greffier admin openapi -o docs/openapi.json`"
    )


def test_restarted_service_resumes_queued_and_running_jobs(tmp_path: Path) -> None:
    env = service_env(tmp_path)
    token = create_account(env, "acme", "ana@acme.example")
    service = Service(env, tmp_path / "serve.log").start()
    try:
        with service.client(token) as client:
            running = upload(client, eval_file(MEDIUM), language="fr")
            queued = [upload(client, eval_file(SHORT), language="fr") for _ in range(2)]
            wait_for(
                lambda: client.get(f"/api/jobs/{running['job']['id']}").json()["state"] == "running",
                60,
                "the first job to start",
            )
        service.kill()  # SIGKILL in the middle of the job
        service = Service(env, tmp_path / "serve.log").start()
        with service.client(token) as client:
            resumed = wait_job(client, running["job"]["id"])
            assert (resumed["state"], resumed["attempts"]) == ("succeeded", 2), resumed
            for meeting in queued:
                job = wait_job(client, meeting["job"]["id"])
                assert (job["state"], job["attempts"]) == ("succeeded", 1), job
            for meeting in [running, *queued]:  # one result each: no duplicate
                versions = client.get(f"/api/meetings/{meeting['id']}/transcript/versions").json()
                assert [v["version"] for v in versions] == [1]
            assert len(client.get(f"/api/meetings/{running['id']}/transcript").json()["text"].split()) > 10
    finally:
        service.stop()


FUZZ_SCHEMA = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


@FUZZ_SCHEMA.parametrize()
@hypothesis.settings(
    max_examples=int(os.environ.get("GREFFIER_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_fuzzed_requests_never_get_a_server_error(
    case: schemathesis.Case, embedded: Embedded, transcribed: dict
) -> None:
    """schemathesis against the OpenAPI schema; half the meeting ids point at a real meeting so that
    fuzzed bodies reach the transcript code (never DELETE: it would erase it)."""
    meeting_id = case.path_parameters.get("meeting_id") if case.path_parameters else None
    if meeting_id and case.method != "DELETE" and str(meeting_id)[:1] in "02468ace":
        case.path_parameters["meeting_id"] = transcribed["id"]
    response = case.call(
        base_url=embedded.service.url, headers={"Authorization": f"Bearer {embedded.token}"}, timeout=60
    )
    case.validate_response(response, checks=[not_a_server_error])


def test_verbose_json_follows_the_timestamp_granularities() -> None:
    from greffier.api.routers.openai import verbose_json
    from greffier.transcript import Segment, Transcript, Word

    words = (Word(0.0, 0.4, "Bonjour"), Word(0.5, 0.9, "madame"))
    transcript = Transcript("fr", 1.0, (Segment(0, 0.0, 0.9, "Bonjour madame", words),))
    both = verbose_json(transcript, ["word", "segment"])
    assert [w.word for w in both.words or []] == ["Bonjour", "madame"] and both.segments
    only_words = verbose_json(transcript, ["word"])
    assert only_words.words and only_words.segments is None
    assert verbose_json(transcript, ["segment"]).words is None


def test_worker_without_a_broker_says_what_to_do(tmp_path: Path) -> None:
    done = run_cli("worker", env=service_env(tmp_path))
    assert done.returncode == 2
    assert "GREFFIER_BROKER_URL" in done.stderr and "greffier serve" in done.stderr
