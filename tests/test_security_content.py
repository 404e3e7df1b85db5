"""What an attacker can put into Greffier and get out of it (issue 20): uploads that are also web
pages, transcripts with numbers JSON cannot hold, damaged recordings, errors that would say where the
server keeps its files. Against `greffier serve`, with Debian's Chromium where a browser is concerned."""

from __future__ import annotations

import json
import random
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from conftest import eval_file
from greffier import export
from greffier.audio import load_audio
from greffier.errors import AudioError
from greffier.store.db import Database
from greffier.store.models import Meeting
from servers import Service, seed_account, service_env, upload, wait_job

SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s of French
MP3 = "linto-ssak/tests/data/audio/edf8k.mp3"
EMAIL, PASSWORD = "ana@acme.example", "correct horse battery"
PAYLOAD = b"<html><body><script>document.title = 'ran'; fetch('/api/session')</script></body></html>"
"""What the attacker's page does: visible in the title, and as a request for the victim's session."""


@dataclass
class Server:
    service: Service
    data: Path
    token: str

    def client(self) -> httpx.Client:
        return self.service.client(self.token)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("security")
    token = seed_account(data, "acme", EMAIL, PASSWORD)
    service = Service(service_env(data, llm_backend="none"), data / "serve.log").start()
    try:
        yield Server(service, data, token)
    finally:
        service.stop()


@pytest.fixture(scope="module")
def transcript_url(server: Server) -> str:
    with server.client() as client:
        meeting = upload(client, eval_file(SHORT), language="fr")
        assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
    return f"/api/meetings/{meeting['id']}/transcript"


def _upload_bytes(client: httpx.Client, name: str, data: bytes) -> dict:
    response = client.post("/api/meetings", files={"file": (name, data)}, data={"language": "fr"})
    assert response.status_code == 202, response.text
    return response.json()


def _stored(server: Server, meeting_id: str) -> list[Path]:
    return [
        p for p in (server.data / "blobs").rglob("*") if uuid.UUID(meeting_id).hex in p.parts and p.is_file()
    ]


def _assert_safe_headers(response: httpx.Response | dict[str, str]) -> None:
    headers = {
        k.lower(): v
        for k, v in (response.headers if isinstance(response, httpx.Response) else response).items()
    }
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def _open_in_chromium(
    browser: Browser, server: Server, path: str
) -> tuple[dict[str, str], str, str, list[str]]:
    """Sign in as a colleague would, open `path`; returns the response headers, the document's
    type and title, and the requests the document made after it loaded."""
    context = browser.new_context()
    try:
        signed_in = context.request.post(
            f"{server.service.url}/api/session", data={"email": EMAIL, "password": PASSWORD}
        )
        assert signed_in.ok, signed_in.text()
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        response = page.goto(f"{server.service.url}{path}")
        assert response is not None
        page.wait_for_timeout(1000)  # time for a script, had one run, to fetch the session
        return response.headers, page.evaluate("document.contentType"), page.title(), requests
    finally:
        context.close()


@pytest.mark.parametrize("name", ["poly.html", "poly.htm", "poly.svg", "poly.xml"])
def test_a_wav_that_is_also_a_web_page_is_stored_and_served_as_audio(
    server: Server, browser: Browser, name: str
) -> None:
    polyglot = eval_file(SHORT).read_bytes() + PAYLOAD
    with server.client() as client:
        meeting = _upload_bytes(client, name, polyglot)
        assert [p.name for p in _stored(server, meeting["id"])] == ["audio.wav"]
        audio = client.get(f"/api/meetings/{meeting['id']}/audio")
        assert audio.status_code == 200 and audio.content == polyglot
        assert audio.headers["content-type"] == "audio/x-wav"
        assert 'filename="poly.wav"' in audio.headers["content-disposition"]
        _assert_safe_headers(audio)
    headers, content_type, title, requests = _open_in_chromium(
        browser, server, f"/api/meetings/{meeting['id']}/audio"
    )
    assert headers["content-type"] == "audio/x-wav"
    _assert_safe_headers(headers)
    assert content_type != "text/html" and title != "ran"
    assert not [url for url in requests if url.endswith("/api/session")], "the page's script ran"


def test_a_meeting_stored_with_the_clients_suffix_is_served_as_what_it_holds(
    server: Server, browser: Browser
) -> None:
    """Meetings uploaded before the fix kept the client's suffix (`audio.html`)."""
    with server.client() as client:
        meeting = _upload_bytes(client, "poly.html", eval_file(SHORT).read_bytes() + PAYLOAD)
    [stored] = _stored(server, meeting["id"])
    stored.rename(stored.with_name("audio.html"))
    db = Database(f"sqlite:///{server.data / 'greffier.db'}")
    try:
        with db.write() as session:
            row = session.get(Meeting, uuid.UUID(meeting["id"]))
            assert row is not None
            row.audio_key = row.audio_key.replace("audio.wav", "audio.html")
    finally:
        db.dispose()
    headers, content_type, title, requests = _open_in_chromium(
        browser, server, f"/api/meetings/{meeting['id']}/audio"
    )
    assert headers["content-type"] == "audio/x-wav" and content_type != "text/html"
    assert title != "ran" and not [url for url in requests if url.endswith("/api/session")]


def test_every_response_carries_the_security_headers(server: Server) -> None:
    url = server.service.url
    responses = [
        httpx.get(f"{url}/health"),
        httpx.get(f"{url}/api/session"),  # 401
        httpx.get(f"{url}/api/nothing"),  # 404
        httpx.delete(f"{url}/health"),  # 405
        httpx.get(f"{url}/static/js/app.js"),
        httpx.get(f"{url}/"),
        httpx.get(f"{url}/docs"),
        httpx.get(f"{url}/openapi.json"),
    ]
    for response in responses:
        _assert_safe_headers(response)
    assert "default-src 'none'" in responses[0].headers["content-security-policy"]


def test_pages_and_docs_run_under_their_policy(server: Server, browser: Browser) -> None:
    """No inline script, style or handler of the web app (nor /docs' own script) is blocked."""
    context = browser.new_context(locale="fr-FR")
    context.add_init_script(
        "window.__violations = []; document.addEventListener('securitypolicyviolation', "
        "e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    try:
        page = context.new_page()
        page.goto(f"{server.service.url}/")
        page.get_by_label("Adresse e-mail").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("heading", name="Réunions", exact=True).wait_for()
        assert page.evaluate("window.__violations") == []
        page.goto(f"{server.service.url}/docs")
        page.wait_for_load_state("load")
        assert page.evaluate("window.__violations") == []
    finally:
        context.close()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": 1e400}, "segments.0.start"),
        ({"start": -1.0}, "segments.0.start"),
        ({"end": 1e9}, "segments.0.end"),
        ({"start": 2.0, "end": 1.0}, "segments.0"),
    ],
    ids=["infinite", "negative", "absurd", "end before start"],
)
def test_times_that_exports_cannot_write_are_refused(
    server: Server, transcript_url: str, change: dict, field: str
) -> None:
    with server.client() as client:
        original = client.get(transcript_url).json()
        segment = dict(original["segments"][0], words=[], **change)
        body = json.dumps(dict(original, segments=[segment])).replace("Infinity", "1e400")
        response = client.put(transcript_url, content=body, headers={"Content-Type": "application/json"})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["param"] == field and field in error["message"]
        assert client.get(transcript_url).json() == original
        for fmt in export.FORMATS:
            assert client.get(transcript_url.replace("transcript", f"exports/{fmt}")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{{"language": "fr", "duration": 1e400, "segments": {segments}}}', "duration"),
        (
            '{{"language": "fr", "duration": 2, "segments": {segments}, "metadata": {{"x": [1e400]}}}}',
            "metadata",
        ),
        (
            '{{"language": "fr", "duration": 2, "segments": [{{"id": 0, "start": 0, "end": 1, "text": "a", '
            '"words": [{{"start": 0.5, "end": 0.2, "text": "a"}}]}}]}}',
            "segments.0.words.0",
        ),
    ],
    ids=["duration", "metadata", "word"],
)
def test_other_bad_numbers_are_refused_with_their_field(
    server: Server, transcript_url: str, body: str, field: str
) -> None:
    with server.client() as client:
        segments = json.dumps(client.get(transcript_url).json()["segments"])
        response = client.put(
            transcript_url,
            content=body.format(segments=segments),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["param"] == field


@pytest.mark.parametrize("depth", [100_000, 900])
def test_deeply_nested_json_is_a_client_error(server: Server, transcript_url: str, depth: int) -> None:
    nested = '{"language": "fr", "duration": 1, "metadata": {"x": ' + "[" * depth + "]" * depth + "}}"
    with server.client() as client:
        response = client.put(transcript_url, content=nested, headers={"Content-Type": "application/json"})
        assert response.status_code in (400, 422), response.text
        assert response.json()["error"]["fix"]
        assert client.get(transcript_url).status_code == 200


def _corrupt_mp3(path: Path) -> Path:
    data = bytearray(eval_file(MP3).read_bytes())
    rng = random.Random(1)  # this seed's damage changes the frames' format part-way
    for _ in range(200):
        data[rng.randrange(1000, len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def test_a_corrupt_mp3_is_said_to_be_corrupt(server: Server, tmp_path: Path) -> None:
    damaged = _corrupt_mp3(tmp_path / "damaged.mp3")
    with pytest.raises(AudioError, match="is corrupt") as info:
        load_audio(damaged)
    assert info.value.fix
    with server.client() as client:
        meeting = upload(client, damaged, language="fr")
        job = wait_job(client, meeting["job"]["id"])
    assert job["state"] == "failed"
    assert "is corrupt" in job["error"] and "internal error" not in job["error"], job["error"]


def _wav_with_channels(path: Path, channels: int) -> Path:
    data = bytearray(eval_file(SHORT).read_bytes())
    struct.pack_into("<H", data, data.index(b"fmt ") + 10, channels)
    path.write_bytes(bytes(data))
    return path


def test_errors_never_show_the_servers_paths(server: Server, tmp_path: Path) -> None:
    odd = _wav_with_channels(tmp_path / "odd.wav", 65_535)
    data_dir = str(server.data.resolve())
    with server.client() as client:
        meeting = upload(client, odd)
        job = wait_job(client, meeting["job"]["id"])
        assert job["state"] == "failed" and job["error"]
        shown = [
            job["error"],
            client.get(f"/api/meetings/{meeting['id']}").text,
            client.get(f"/api/meetings/{meeting['id']}/transcript").text,
        ]
        with open(odd, "rb") as audio:
            answer = client.post("/v1/audio/transcriptions", files={"file": ("odd.wav", audio)})
        assert answer.status_code == 422, answer.text
        shown.append(answer.text)
    for text in shown:
        assert data_dir not in text and "blobs/" not in text and "/orgs/" not in text, text


def test_405_says_which_methods_are_allowed(server: Server, transcript_url: str) -> None:
    with server.client() as client:
        for method, path, allowed in [
            ("DELETE", transcript_url, "GET, PUT, PATCH"),
            ("PUT", "/api/meetings", "GET, POST"),
            ("POST", "/static/app.css", "GET, HEAD"),
        ]:
            response = client.request(method, path)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == allowed, (method, path)
            assert allowed in response.json()["error"]["fix"]
