"""`/ws/stream` through a real `greffier serve` subprocess: auth, bad frames, WebM from a "browser",
a client that vanishes, and the meeting saved at the end (audio + transcript)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from greffier.audio import probe
from servers import Service, create_account, service_env, wait_for
from tests.conftest import eval_file
from tests.test_live import SHORT, pcm_frames, webm_chunks

LIVE_PORTS = range(18400, 18500)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, str, Path]]:
    data = tmp_path_factory.mktemp("live")
    env = service_env(data, live_max_frame_kb=256)
    token = create_account(env, "acme", "ana@acme.example")
    service = Service(env, data / "serve.log", ports=LIVE_PORTS).start()
    try:
        yield service, token, data
    finally:
        service.stop()


def _url(service: Service, **query: str) -> str:
    return f"ws://127.0.0.1:{service.port}/ws/stream?" + "&".join(f"{k}={v}" for k, v in query.items())


def _messages(ws: ClientConnection) -> list[dict]:
    """Every message until the server closes the connection."""
    received = []
    try:
        while True:
            received.append(json.loads(ws.recv(timeout=300)))
    except ConnectionClosed:
        return received


def test_a_stream_with_bad_frames_is_transcribed_and_saved_as_a_meeting(server):
    service, token, data = server
    with connect(
        _url(service, language="fr", title="Essai"),
        additional_headers={"Authorization": f"Bearer {token}"},
        open_timeout=120,
    ) as ws:
        frames = pcm_frames(SHORT)
        for frame in [b"", *frames[:5], b"\x01\x02\x03", b"\x00" * (300 * 1024), "pause", *frames[5:]]:
            ws.send(frame)
        ws.send('{"type": "end"}')
        messages = _messages(ws)
        assert ws.close_code == 1000
    errors = [m["code"] for m in messages if m["type"] == "error"]
    assert errors == ["empty_frame", "bad_frame", "frame_too_large", "bad_message"]
    finals = [m for m in messages if m["type"] == "final"]
    assert "avion" in " ".join(m["text"] for m in finals).lower()
    end = messages[-1]
    assert end["type"] == "end" and end["reason"] == "client" and end["meeting_id"]

    with service.client(token) as client:
        meeting = client.get(f"/api/meetings/{end['meeting_id']}").json()
        assert meeting["title"] == "Essai" and meeting["status"] == "done" and meeting["language"] == "fr"
        assert meeting["duration"] == pytest.approx(probe(eval_file(SHORT)).duration, abs=0.05)
        transcript = client.get(f"/api/meetings/{end['meeting_id']}/transcript").json()
        assert [s["text"] for s in transcript["segments"]] == [m["text"] for m in finals]
        assert "avion" in client.get(f"/api/meetings/{end['meeting_id']}/exports/srt").text.lower()
    [audio] = data.glob(f"blobs/orgs/*/meetings/{end['meeting_id'].replace('-', '')}/audio.wav")
    assert probe(audio).duration == pytest.approx(meeting["duration"], abs=0.01)


def test_a_browser_authenticates_by_subprotocol_and_sends_webm(server):
    service, token, _ = server
    with connect(_url(service, format="webm"), subprotocols=["bearer", token], open_timeout=120) as ws:
        assert ws.subprotocol == "bearer"
        for chunk in webm_chunks(SHORT):
            ws.send(chunk)
        ws.send('{"type": "end"}')
        messages = _messages(ws)
    assert not [m for m in messages if m["type"] == "error"]
    assert "avion" in " ".join(m["text"] for m in messages if m["type"] == "final").lower()
    assert messages[-1]["language"] == "fr"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer gfr_not-a-token"}])
def test_no_valid_token_no_stream(server, headers):
    service, _, _ = server
    with connect(_url(service), additional_headers=headers) as ws:
        messages = _messages(ws)
        assert ws.close_code == 1008
    assert messages[0]["type"] == "error" and messages[0]["code"] == "authentication_error"
    assert messages[0]["fatal"] and "create-token" in messages[0]["fix"]
    assert messages[-1]["type"] == "end"


def test_a_client_that_vanishes_loses_nothing_already_sent(server):
    service, token, _ = server
    with connect(
        _url(service, language="fr", title="Coupure"), additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        for frame in pcm_frames(SHORT):
            ws.send(frame)
    # The socket is gone without an end message: the audio sent is still transcribed and saved.
    with service.client(token) as client:

        def saved() -> dict | None:
            page = client.get("/api/meetings", params={"title": "Coupure"}).json()
            return page["items"][0] if page["items"] else None

        meeting = wait_for(saved, 120, "the meeting of the vanished client")
        text = client.get(f"/api/meetings/{meeting['id']}/transcript").json()["text"]
    assert "avion" in text.lower()


@pytest.mark.parametrize("site", ["same", "other"])
def test_the_web_apps_sign_in_cookie_works_from_its_own_pages_only(server, site):
    service, token, _ = server
    origin = f"http://127.0.0.1:{service.port}" if site == "same" else "https://evil.example"
    cookie = {"Cookie": f"greffier_session={token}"}
    with connect(_url(service, language="fr", save="false"), additional_headers=cookie, origin=origin) as ws:
        if site == "same":  # the other is refused at once
            for frame in pcm_frames(SHORT)[:10]:
                ws.send(frame)
            ws.send('{"type": "end"}')
        messages = _messages(ws)
    errors = [m["code"] for m in messages if m["type"] == "error"]
    assert errors == ([] if site == "same" else ["cross_site_request"])
    assert messages[-1]["type"] == "end" and messages[-1]["meeting_id"] is None
