"""`/ws/call` and `/api/meetings/{id}/call` through a real `greffier serve`: a live call from real
speech saved as a meeting with its form, the form filled again by a job from a transcript with
speakers, organisation isolation and the errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from websockets.sync.client import connect

from greffier.calls.export import CaseExport
from greffier.calls.simsamu import load_simsamu
from servers import Service, two_organisations, wait_job
from tests.conftest import eval_file
from tests.hub_schemas import errors, message_of
from tests.test_calls_live import COMA, STREET, check_order
from tests.test_live import SHORT, pcm_frames
from tests.test_live_ws import _messages

CALL_PORTS = range(18700, 18800)


@dataclass
class Server:
    service: Service
    token: str
    other: str

    def url(self, path: str, **query: str) -> str:
        return f"ws://127.0.0.1:{self.service.port}{path}?" + "&".join(f"{k}={v}" for k, v in query.items())

    def stream(self, path: str, clip: str, **query: str) -> list[dict]:
        with connect(
            self.url(path, **query),
            additional_headers={"Authorization": f"Bearer {self.token}"},
            open_timeout=120,
        ) as ws:
            for frame in pcm_frames(clip):
                ws.send(frame)
            ws.send('{"type": "end"}')
            return _messages(ws)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with two_organisations(tmp_path_factory.mktemp("calls"), CALL_PORTS) as (service, token, other):
        yield Server(service, token, other)


@pytest.fixture(scope="module")
def live_call(server: Server) -> list[dict]:
    """A call streamed from a real recording (16-bit PCM frames, as fast as it is recognised)."""
    return server.stream("/ws/call", STREET, title="Appel%20test")


def test_a_live_call_is_saved_with_its_form(server: Server, live_call: list[dict]) -> None:
    check_order(live_call)
    assert not [m for m in live_call if m["type"] == "error"]
    end = live_call[-1]
    assert end["reason"] == "client" and end["meeting_id"]
    meeting_id = end["meeting_id"]
    with server.service.client(server.token) as client:
        meeting = client.get(f"/api/meetings/{meeting_id}").json()
        assert meeting["title"] == "Appel test" and meeting["status"] == "done"
        assert meeting["language"] == "fr"
        transcript = client.get(f"/api/meetings/{meeting_id}/transcript").json()
        assert [s["text"] for s in transcript["segments"]] == [
            m["text"] for m in live_call if m["type"] == "final"
        ]
        form = client.get(f"/api/meetings/{meeting_id}/call").json()
        assert form == live_call[-2]["form"] | {"call_id": meeting_id}
        kind = form["fields"]["location.kind"]["value"]
        assert kind["value"] == "street" and "rue" in kind["evidence"][0]["quote"]
        said = transcript["segments"][kind["evidence"][0]["segment_id"]]["text"].lower()
        assert kind["evidence"][0]["quote"] in said
        export = client.get(f"/api/meetings/{meeting_id}/call/export")
        assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
        case = CaseExport.model_validate(export.json())
        assert (
            case.caseId == meeting_id
            and case.location.locationKind
            and case.location.locationKind.code == "street"
        )
    with server.service.client(server.other) as intruder:  # another organisation sees nothing
        for path in ("call", "call/export", "call/rs-eda", "call/hub"):
            assert intruder.get(f"/api/meetings/{meeting_id}/{path}").status_code == 404
        assert intruder.post(f"/api/meetings/{meeting_id}/call").status_code == 404


def test_a_job_fills_the_form_from_a_transcript_with_speakers(server: Server, live_call: list[dict]) -> None:
    meeting_id = live_call[-1]["meeting_id"]
    simsamu = load_simsamu(eval_file(COMA))  # human turns with speakers: medecin (regulator), patient
    with server.service.client(server.token) as client:
        saved = client.put(f"/api/meetings/{meeting_id}/transcript", json=simsamu.to_dict())
        assert saved.status_code == 200, saved.text
        wrong = client.post(f"/api/meetings/{meeting_id}/call", json={"regulator": "SPEAKER_07"})
        assert wrong.status_code == 422
        assert "medecin, patient" in wrong.json()["error"]["fix"]
        started = client.post(f"/api/meetings/{meeting_id}/call", json={"regulator": "medecin"})
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["kind"] == "call" and started.headers["location"] == f"/api/jobs/{job['id']}"
        assert wait_job(client, job["id"], timeout=120)["state"] == "succeeded"
        form = client.get(f"/api/meetings/{meeting_id}/call").json()
        flags = form["fields"]["red_flags"]["items"]
        assert [f["value"] for f in flags] == ["unconscious"]
        assert {e["speaker"] for f in flags for e in f["evidence"]} <= {"medecin", "patient"}
        assert form["priority"]["value"] == "P1" and form["priority"]["suggested"] is True
        assert form["fields"]["location.kind"]["value"] is None, (
            "the form is the new transcript's, not the live one"
        )
        case = client.get(f"/api/meetings/{meeting_id}/call/export").json()
        assert case["regulation"]["disclaimer"].endswith("le médecin régulateur décide.")
        message = client.get(f"/api/meetings/{meeting_id}/call/rs-eda")
        assert message.status_code == 200, message.text
        envelope = message.json()
        assert errors("EDXL-DE-full.schema.json", envelope) == []
        rs_eda = message_of(envelope)["createCaseHealth"]
        assert errors("RS-EDA.schema.json", rs_eda) == []
        link = {"greffier.case": f"/api/meetings/{meeting_id}/call"}
        assert (
            link.items()
            <= {m["key"]: m["value"] for m in rs_eda["additionalInformation"]["customMap"]}.items()
        )
        unshared = client.post(f"/api/meetings/{meeting_id}/call/hub")
        assert unshared.status_code == 409 and "GREFFIER_HUB_HOST" in unshared.json()["error"]["fix"]
        assert client.get(f"/api/meetings/{meeting_id}/call/hub").json() == []
        assert client.get(f"/api/meetings/{meeting_id}").json()["status"] == "done"  # the call job leaves it


def test_a_meeting_without_form_says_how_to_get_one(server: Server) -> None:
    end = server.stream("/ws/stream", SHORT, language="fr")[-1]
    with server.service.client(server.token) as client:
        missing = client.get(f"/api/meetings/{end['meeting_id']}/call")
        assert missing.status_code == 404 and "POST" in missing.json()["error"]["fix"]
        assert client.get(f"/api/meetings/{end['meeting_id']}/call/export").status_code == 404
        gone = client.post("/api/meetings/00000000-0000-4000-8000-000000000000/call")
        assert gone.status_code == 404 and gone.json()["error"]["fix"]


@pytest.mark.parametrize(
    ("query", "headers", "code"),
    [
        ({}, {}, "authentication_error"),
        ({"format": "mp3"}, "token", "invalid_request_error"),
        ({"language": "xx"}, "token", "invalid_request_error"),
    ],
)
def test_ws_call_refuses_like_ws_stream(server: Server, query: dict, headers, code: str) -> None:
    auth = {"Authorization": f"Bearer {server.token}"} if headers == "token" else {}
    with connect(server.url("/ws/call", **query), additional_headers=auth) as ws:
        messages = _messages(ws)
        assert ws.close_code == 1008
    assert messages[0]["type"] == "error" and messages[0]["code"] == code and messages[0]["fix"]
    assert messages[-1]["type"] == "end"
