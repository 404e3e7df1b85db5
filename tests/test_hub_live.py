"""A live call shared with the regulation software through a real `greffier serve` and a real RabbitMQ
(configured like the hub: TLS 1.2, client certificates): `/ws/call` queues the case (RS-EDA) and its
updates (RS-EDA-MAJ) in the outbox while the broker is down, the relay that runs inside `serve`
delivers each once after it restarts, the answers come back, and the call page shows where each
message stands (Debian's Chromium)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from websockets.sync.client import connect

from bench.calls_where import ADDRESS_BASE, where_calls
from bench.common.synth import synthesise
from greffier.audio import stream_audio, to_pcm16
from greffier.calls.simsamu import load_simsamu
from greffier.hub.loop import INTERVAL_S
from servers import Service, seed_account, service_env, wait_for
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.hub_schemas import errors
from tests.rabbitmq import VHOST, Broker
from tests.test_hub_relay import LRM, SAMU, _answer, _received, broker  # noqa: F401  (the fixture)
from tests.test_live_ws import _messages
from tests.test_web import EMAIL, PASSWORD, Web, open_page, sign_in

PORTS = range(18960, 18990)


@dataclass
class Served:
    web: Web
    token: str
    broker: Broker

    def get(self, path: str) -> list[dict]:
        with self.web.service.client(self.token) as client:
            response = client.get(path)
            assert response.status_code == 200, response.text
            return response.json()


@pytest.fixture(scope="module")
def served(broker: Broker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:  # noqa: F811
    data = tmp_path_factory.mktemp("hub-live")
    token = seed_account(data, "samu31", EMAIL, PASSWORD)
    f = broker.folder
    env = service_env(
        data,
        address_base=ADDRESS_BASE,
        hub_host="127.0.0.1",
        hub_port=broker.tls_port,
        hub_vhost=VHOST,
        hub_client_id=SAMU,
        hub_recipient_id=LRM,
        hub_ca=f / "ca.crt",
        hub_cert=f / f"{SAMU}.crt",
        hub_key=f / f"{SAMU}.key",
    )
    service = Service(env, data / "serve.log", ports=PORTS).start()
    try:
        yield Served(Web(service, data), token, broker)
    finally:
        service.stop()


def _call_frames() -> list[bytes]:
    """A synthetic call that gives its address ("15 rue Victor Hugo à Lyon"), spoken (Kokoro, cached)."""
    path = next(p for p in where_calls() if p.stem == "where_arret")
    audio: Path = synthesise(load_simsamu(path), path.stem).audio
    return [to_pcm16(block) for block in stream_audio(audio, block_seconds=0.1)]


@pytest.fixture(scope="module")
def shared_call(served: Served) -> tuple[str, list[dict]]:
    """The call streamed to `/ws/call` while the broker is down; (meeting id, its outbox then)."""
    served.broker.stop()
    with connect(
        f"ws://127.0.0.1:{served.web.service.port}/ws/call?title=Appel",
        additional_headers={"Authorization": f"Bearer {served.token}"},
        open_timeout=120,
    ) as ws:
        for frame in _call_frames():
            ws.send(frame)
        ws.send('{"type": "end"}')
        messages = _messages(ws)
    assert not [m for m in messages if m["type"] == "error"]
    meeting_id = messages[-1]["meeting_id"]
    return meeting_id, served.get(f"/api/meetings/{meeting_id}/call/hub")


def _delivered(served: Served, meeting_id: str) -> list[dict]:
    """The broker (re)started, once every message of the call is sent: what the recipient received."""
    if served.broker.process is None:
        served.broker.start()  # the relay inside `greffier serve` tries again, with back-off
    wait_for(
        lambda: all(m["state"] == "sent" for m in served.get(f"/api/meetings/{meeting_id}/call/hub")),
        180,
        "the queued messages sent once the broker is back",
        interval=1,
    )
    return _received(served.broker)


def test_a_live_call_is_queued_while_the_broker_is_down_then_delivered_once(
    served: Served, shared_call: tuple[str, list[dict]]
) -> None:
    meeting_id, queued = shared_call
    assert queued, "the live call queued no SAMU-Hub message"
    assert queued[0]["kind"] == "Report" and {m["kind"] for m in queued[1:]} <= {"Update"}
    assert all(m["state"] == "queued" and m["attempts"] >= 1 for m in queued)
    assert all("unreachable" in m["error"] and "back-off" in m["fix"] for m in queued)

    got = _delivered(served, meeting_id)
    assert [m["distributionID"] for m in got] == [m["distribution_id"] for m in queued]  # once, none lost
    for m in got:
        assert errors("EDXL-DE-full.schema.json", m) == []
    time.sleep(3 * INTERVAL_S)  # the next passes of the relay …
    assert _received(served.broker) == []  # … publish nothing twice
    rows = served.get(f"/api/meetings/{meeting_id}/call/hub")
    assert all(r["state"] == "sent" and r["sent_at"] and r["error"] is None for r in rows)


def test_the_answers_of_the_regulation_software_are_shown_on_the_call_page(
    served: Served, shared_call: tuple[str, list[dict]]
) -> None:
    meeting_id, queued = shared_call
    _delivered(served, meeting_id)
    with served.web.service.client(served.token) as client:  # shared again from the saved call
        again = client.post(f"/api/meetings/{meeting_id}/call/hub")
        assert again.status_code == 202, again.text
    second = again.json()["distribution_id"]
    wait_for(
        lambda: [m["distributionID"] for m in _received(served.broker)] == [second],
        60,
        "the case shared again, sent at once",
        interval=0.5,
    )
    report = queued[0]["distribution_id"]
    _answer(served.broker, {"reference": {"distributionID": report}}, "Ack")
    _answer(
        served.broker,
        {
            "error": {
                "errorCode": {"statusCode": 400, "statusString": "INVALID_MESSAGE"},
                "errorCause": "location.city: unknown commune",
                "referencedDistributionID": second,
            }
        },
        "Error",
    )

    def answered() -> dict[str, dict] | None:
        rows = {r["distribution_id"]: r for r in served.get(f"/api/meetings/{meeting_id}/call/hub")}
        done = rows[report]["state"] == "acknowledged" and rows[second]["state"] == "refused"
        return rows if done else None

    rows = wait_for(answered, 60, "the acknowledgement and the refusal recorded", interval=0.5)
    assert rows[second]["error"] == "400 INVALID_MESSAGE: location.city: unknown commune"

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for page in open_page(chromium):
                _check_page(page, served.web, meeting_id, report, second)
        finally:
            chromium.close()


def _check_page(page: Page, web: Web, meeting_id: str, report: str, refused: str) -> None:
    sign_in(page, web)
    page.goto(f"{web.url}/meetings/{meeting_id}/call")
    hub = page.locator(".cf-hub")
    expect(hub.get_by_role("heading")).to_have_text("Transmis au logiciel de régulation (SAMU-Hub)")
    ack = hub.locator(f'[data-id="{report}"]')
    expect(ack.locator(".cf-hub-state")).to_have_text("Acquitté")
    expect(ack).to_contain_text("dossier (RS-EDA)")
    no = hub.locator(f'[data-id="{refused}"]')
    expect(no.locator(".cf-hub-state")).to_have_text("Refusé")
    expect(no.locator(".cf-hub-error")).to_have_text("400 INVALID_MESSAGE: location.city: unknown commune")
    expect(no.locator(".cf-hub-fix")).to_contain_text("À faire : correct the case as the cause says")
    page.get_by_role("button", name="English").click()
    expect(no.locator(".cf-hub-state")).to_have_text("Refused")
