"""The live call path: finals fill the form as they come, each `form` message right after its final.

On real speech (`greffier call FILE --live --json`, Whisper on a French recording) and on the human
turns of Simsamu calls relayed as finals (the same `LiveCall.relay` the WebSocket uses), with and
without speaker labels.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json

from greffier.calls.live import FormMessage, LiveCall
from greffier.calls.simsamu import load_simsamu
from greffier.live.protocol import EndMessage, FinalMessage, PartialMessage
from greffier.transcript import Transcript
from tests.conftest import eval_file, run_cli

STREET = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"  # 21 s: "… je suis descendu dans la rue …"
COMA = "simsamu-text/dj_mai_sdf_coma/dj_mai_sdf_coma.json"  # 15 turns: a man found unconscious


def check_order(messages: list[dict]) -> None:
    """Every form message follows the final whose words changed it (or closes the call); end is last."""
    last_final = None
    for message in messages:
        if message["type"] == "final":
            last_final = message["id"]
        elif message["type"] == "form" and not message["complete"]:
            assert message["segment_id"] == last_final, (message["segment_id"], last_final)
            for change in message["changes"]:
                assert all(e["segment_id"] <= last_final for e in change["evidence"]), change
    assert messages[-2]["type"] == "form" and messages[-2]["complete"] is True
    assert messages[-1]["type"] == "end"


def test_greffier_call_live_fills_the_form_from_real_speech() -> None:
    # At its real pace, as a phone line sends it: fed as fast as it decodes, a step of audio may hold
    # whole utterances, which then go out as finals with no partial before them.
    done = run_cli(
        "call", str(eval_file(STREET)), "--live", "--realtime", "--json", "--language", "fr", timeout=600
    )
    assert done.returncode == 0, done.stderr
    messages = [json.loads(line) for line in done.stdout.splitlines()]
    assert {m["type"] for m in messages} >= {"partial", "final", "form", "end"}
    check_order(messages)
    finals = {m["id"]: m for m in messages if m["type"] == "final"}
    street = next(
        c for m in messages if m["type"] == "form" for c in m["changes"] if c["key"] == "location.kind"
    )
    assert (street["value"], street["label"]) == ("street", "voie publique")
    [evidence] = street["evidence"]
    said = finals[evidence["segment_id"]]
    assert evidence["quote"] in said["text"].lower() and "rue" in evidence["quote"]
    assert said["start"] <= evidence["start"] < evidence["end"] <= said["end"]  # the words, in time
    complete = messages[-2]
    assert complete["form"]["fields"]["location.kind"]["value"]["value"] == "street"
    assert complete["export"]["location"]["locationKind"]["code"] == "street"
    assert messages[-1]["segments"] == len(finals)


def test_call_live_refuses_a_transcript() -> None:
    done = run_cli("call", str(eval_file(COMA)), "--live", timeout=120)
    assert done.returncode == 2 and "--live streams a recording" in done.stderr


def _relay(transcript: Transcript, unsent: int = 0) -> tuple[list[dict], LiveCall]:
    """The transcript's turns as finals through `LiveCall`, as `run_stream` sends them; the last
    `unsent` finals never reach the client (it vanished) and are read when the call is saved."""
    received: list[dict] = []

    async def send(text: str) -> None:
        received.append(json.loads(text))

    async def run() -> LiveCall:
        call = LiveCall(call_id="essai")
        relay, save = call.relay(send), call.saver(None)
        shown = transcript.segments[: len(transcript.segments) - unsent]
        for segment in shown:
            await relay(FinalMessage.of(segment).model_dump_json())
        await save(transcript)
        end = EndMessage(reason="client", duration=transcript.duration, segments=len(shown), language="fr")
        await relay(end.model_dump_json())
        return call

    return received, asyncio.run(run())


def test_red_flags_come_with_the_final_that_states_them() -> None:
    transcript = load_simsamu(eval_file(COMA))
    messages, call = _relay(transcript)
    check_order(messages)
    for m in messages:
        if m["type"] == "form":
            FormMessage.model_validate(m)
    flagged = next(m for m in messages if m["type"] == "form" and m["red_flags"])
    [flag] = flagged["red_flags"]
    assert (flag["code"], flag["label"]) == ("unconscious", "inconscient / ne répond pas")
    stated = transcript.segment(flagged["segment_id"])
    assert any(e["segment_id"] == stated.id and e["quote"] for e in flag["evidence"])
    assert any(c["key"] == "red_flags" and c["action"] == "added" for c in flagged["changes"])
    assert messages[-2]["form"]["priority"]["value"] == "P1" == call.form.priority.value


def test_a_vanished_clients_finals_still_fill_the_saved_form() -> None:
    transcript = load_simsamu(eval_file(COMA))
    whole, _ = _relay(transcript)
    cut, call = _relay(transcript, unsent=10)
    assert len([m for m in cut if m["type"] == "final"]) == len(transcript.segments) - 10
    assert cut[-2]["form"]["fields"] == whole[-2]["form"]["fields"]
    assert call.form.segments_seen == len(transcript.segments)


def test_without_speaker_labels_the_turns_are_attributed_by_their_words() -> None:
    """Live without diarization: no segment has a speaker; questions and "SAMU" mark the regulator."""
    transcript = load_simsamu(eval_file(COMA))
    bare = dataclasses.replace(
        transcript,
        segments=tuple(
            dataclasses.replace(
                s, speaker=None, words=tuple(dataclasses.replace(w, speaker=None) for w in s.words)
            )
            for s in transcript.segments
        ),
        speakers=(),
        metadata={},
    )
    labelled, _ = _relay(transcript)
    unlabelled, _ = _relay(bare)

    def values(messages: list[dict]) -> dict:
        fields = messages[-2]["form"]["fields"]
        return {
            k: [v["value"] for v in (f["items"] if f["multiple"] else [f["value"]] if f["value"] else [])]
            for k, f in fields.items()
        }

    found = values(unlabelled)
    assert found["red_flags"] == ["unconscious"] and found["vitals.consciousness"] == ["altered"]
    assert found == values(labelled)


def test_a_red_flag_heard_in_a_partial_is_shown_before_its_final() -> None:
    """Partials grow word by word as the caller speaks; the flag comes before the sentence is final,
    once per utterance, and the final's `form` message confirms it."""
    transcript = load_simsamu(eval_file(COMA))
    received: list[dict] = []

    async def send(text: str) -> None:
        received.append(json.loads(text))

    async def run() -> None:
        relay = LiveCall().relay(send)
        for segment in transcript.segments:
            words = segment.text.split()
            for n in range(3, len(words) + 3, 3):
                partial = PartialMessage(text=" ".join(words[:n]), start=segment.start)
                await relay(partial.model_dump_json())
            await relay(FinalMessage.of(segment).model_dump_json())

    asyncio.run(run())
    flags = [i for i, m in enumerate(received) if m["type"] == "flag"]
    assert [received[i]["code"] for i in flags] == ["unconscious"]
    [at] = flags
    final = next(i for i, m in enumerate(received) if i > at and m["type"] == "final")
    confirmed = next(i for i, m in enumerate(received) if m["type"] == "form" and m["red_flags"])
    assert at < final < confirmed == final + 1
    assert received[at]["quote"] and received[at]["provisional"] is True
    assert received[at]["quote"] in received[final]["text"].lower()


def test_greffier_call_live_export_rs_eda_prints_the_hub_messages() -> None:
    from tests.hub_schemas import errors, message_of

    done = run_cli("call", str(eval_file(STREET)), "--live", "--export", "rs-eda")
    assert done.returncode == 0, done.stderr
    sent = [json.loads(line) for line in done.stdout.splitlines()]
    assert sent and sent[0]["distributionKind"] == "Report"  # no address said: the report at the end
    assert {m["distributionKind"] for m in sent[1:]} <= {"Update"}
    for envelope in sent:
        assert errors("EDXL-DE-full.schema.json", envelope) == []
    case = message_of(sent[0])["createCaseHealth"]
    assert case["qualification"]["locationKind"] == {
        "code": "L02.01.00",
        "label": "Voie publique hors voie rapide",
    }
