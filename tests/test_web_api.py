"""What the web app needs from the service, over HTTP against `greffier serve`: signing in (password or
token -> cookie), cross-site refusal, the job as server-sent events, the audio with range requests,
corrections (PATCH), text search, and the pages and files themselves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from conftest import eval_file
from greffier.web import STATIC
from servers import Service, seed_account, service_env

WEB_PORTS = range(18500, 18600)
SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"  # 2.3 s, "Une classe entière qui a bien vu…"
PASSWORD = "correct horse battery"


@dataclass
class Server:
    service: Service
    token: str

    def bearer(self) -> httpx.Client:
        return self.service.client(self.token)

    @contextmanager
    def browser(self) -> Iterator[httpx.Client]:
        """A client that signs in like the web app and then only carries the cookie."""
        with httpx.Client(base_url=self.service.url, timeout=60) as client:
            response = client.post("/api/session", json={"email": "ana@acme.example", "password": PASSWORD})
            assert response.status_code == 200, response.text
            yield client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("web-api")
    env = service_env(data)
    token = seed_account(data, "acme", "ana@acme.example", PASSWORD)
    service = Service(env, data / "serve.log", ports=WEB_PORTS).start()
    try:
        yield Server(service, token)
    finally:
        service.stop()


@pytest.fixture(scope="module")
def meeting(server: Server) -> dict:
    """A meeting uploaded by the browser client, followed to the end through its event stream."""
    with server.browser() as client, open(eval_file(SHORT), "rb") as audio:
        response = client.post(
            "/api/meetings",
            files={"file": ("classe.wav", audio)},
            data={"language": "fr", "title": "Conseil de classe"},
            headers={"Origin": server.service.url},
        )
        assert response.status_code == 202, response.text
        created = response.json()
        events = []
        with client.stream("GET", f"/api/jobs/{created['job']['id']}/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            kind = None
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line[6:])))
        return {"meeting": created, "events": events}


def test_sign_in_with_a_password_or_a_token_sets_a_cookie_and_sign_out_ends_it(server: Server) -> None:
    url = server.service.url
    wrong = httpx.post(f"{url}/api/session", json={"email": "ana@acme.example", "password": "nope nope"})
    assert wrong.status_code == 401 and "set-password" in wrong.json()["error"]["fix"]
    assert "set-cookie" not in wrong.headers
    assert httpx.post(f"{url}/api/session", json={"email": "ana@acme.example"}).status_code == 422
    with server.browser() as client:
        cookie = client.cookies["greffier_session"]
        me = client.get("/api/session").json()
        assert (me["email"], me["organisation"], me["max_upload_mb"]) == ("ana@acme.example", "acme", 2048)
        assert "srt" in me["export_formats"]
        assert client.delete("/api/session", headers={"Origin": url}).status_code == 204
        assert httpx.get(f"{url}/api/meetings", cookies={"greffier_session": cookie}).status_code == 401
    response = httpx.post(f"{url}/api/session", json={"token": server.token})
    set_cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 200 and response.cookies["greffier_session"] != server.token
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "max-age=259200" in set_cookie
    assert httpx.post(f"{url}/api/session", json={"token": "gfr_forged"}).status_code == 401


def test_password_guessing_is_slowed_down(server: Server) -> None:
    guess = {"email": "Mallory@acme.example", "password": "guess guess"}
    statuses = [httpx.post(f"{server.service.url}/api/session", json=guess).status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    refused = httpx.post(f"{server.service.url}/api/session", json={**guess, "email": "mallory@ACME.example"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 800
    assert "minute" in refused.json()["error"]["fix"]
    with server.browser() as client:  # another e-mail is not concerned
        assert client.get("/api/session").status_code == 200


def test_changes_from_another_site_are_refused_with_the_cookie(server: Server, meeting: dict) -> None:
    meeting_url = f"/api/meetings/{meeting['meeting']['id']}"
    with server.browser() as client:
        for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
            refused = client.delete(meeting_url, headers=headers)
            assert refused.status_code == 403 and refused.json()["error"]["type"] == "cross_site_request"
        assert client.get(meeting_url, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 200  # reads
    with server.bearer() as client:  # a token is not sent by browsers on their own: no such check
        assert client.get(meeting_url, headers={"Origin": "https://evil.example"}).status_code == 200


def test_the_job_streams_its_stages_until_it_ends(meeting: dict) -> None:
    events = meeting["events"]
    kinds = {kind for kind, _ in events}
    assert kinds == {"job"}, events
    jobs = [job for _, job in events]
    assert jobs[-1]["state"] == "succeeded" and jobs[-1]["progress"] == 1.0
    progress = [job["progress"] for job in jobs]
    assert progress == sorted(progress), "progress never goes back"
    assert "asr" in {job["stage"] for job in jobs}
    assert len(jobs) == len({json.dumps(job, sort_keys=True) for job in jobs}), "only changes are sent"


def test_audio_is_served_with_ranges(server: Server, meeting: dict) -> None:
    original = eval_file(SHORT).read_bytes()
    with server.browser() as client:
        url = f"/api/meetings/{meeting['meeting']['id']}/audio"
        whole = client.get(url)
        assert whole.status_code == 200 and whole.content == original
        assert whole.headers["content-type"] == "audio/x-wav" and whole.headers["accept-ranges"] == "bytes"
        part = client.get(url, headers={"Range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == original[1000:2000]
        assert part.headers["content-range"] == f"bytes 1000-1999/{len(original)}"
        assert client.get(url, headers={"Range": f"bytes={len(original) + 10}-"}).status_code == 416
    assert httpx.get(f"{server.service.url}{url}").status_code == 401


def test_corrections_are_new_versions_that_keep_word_timings(server: Server, meeting: dict) -> None:
    url = f"/api/meetings/{meeting['meeting']['id']}/transcript"
    with server.browser() as client:
        original = client.get(url)
        etag, first = original.headers["etag"], original.json()["segments"][0]
        words = first["text"].split()
        new_text = " ".join([*words[:-1], "vérifié."])
        headers = {"If-Match": etag, "Origin": server.service.url}
        response = client.patch(
            url, json={"segments": [{"id": first["id"], "text": new_text}]}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'
        corrected = response.json()["segments"][0]
        assert corrected["text"] == new_text and corrected["words"][0] == first["words"][0]
        assert corrected["words"][-1]["text"] == "vérifié." and corrected["words"][-1]["probability"] == 1.0
        stale = client.patch(url, json={"speakers": {}}, headers=headers)
        assert stale.status_code == 412 and stale.json()["error"]["fix"]
        unknown = client.patch(
            url,
            json={"speakers": {"SPEAKER_09": "Bob"}},
            headers={**headers, "If-Match": response.headers["etag"]},
        )
        assert unknown.status_code == 422 and unknown.json()["error"]["type"] == "invalid_edit"
        versions = client.get(f"{url}/versions").json()
        assert [v["author"] for v in versions][-1] == "ana@acme.example"
        found = client.get("/api/meetings", params={"q": "VERIFIE classe"}).json()
        assert [m["id"] for m in found["items"]] == [meeting["meeting"]["id"]]
        assert client.get("/api/meetings", params={"q": "vérifié absent"}).json()["total"] == 0


def test_pages_and_files_are_served_locally(server: Server) -> None:
    for path in ("/", "/sign-in", "/meetings/6a3f1c2e-0000-4000-8000-000000000000"):
        page = httpx.get(f"{server.service.url}{path}")
        assert page.status_code == 200 and '<script type="module" src="/static/js/app.js">' in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
    files = [p for p in STATIC.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} == {".html", ".css", ".js", ".svg"}
    for path in files:
        served = httpx.get(f"{server.service.url}/static/{path.relative_to(STATIC).as_posix()}")
        assert served.status_code == 200 and served.headers["cache-control"] == "no-cache"
        external = re.findall(r"https?://(?!www\.w3\.org/2000/svg)[^\s\"')]+", path.read_text())
        assert not external, f"{path.name} refers to another site: {external}"


def test_package_data_ships_the_web_app() -> None:
    """The wheel must hold the static files (pyproject's package-data globs)."""
    import tomllib

    from conftest import ROOT

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"][
        "greffier"
    ]
    for path in (p for p in STATIC.rglob("*") if p.is_file()):
        assert any(Path(path.name).match(glob.removeprefix("**/")) for glob in globs), path.name
