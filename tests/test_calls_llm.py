"""The optional LLM pass of a live call, with the packaged model (Qwen2.5 1.5B, llama.cpp, in process):
it runs in the background while the rules answer each final, and every value it adds is grounded
(its quote is in the segment it cites). One model call on a short Simsamu call."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from greffier.calls.catalogue import SPECS
from greffier.calls.extract import new_form, update
from greffier.calls.live import LiveCall
from greffier.calls.rules import clean
from greffier.calls.simsamu import load_simsamu
from greffier.live.protocol import EndMessage, FinalMessage
from tests.conftest import eval_file
from tests.test_calls_live import COMA


@pytest.mark.timeout(1800)  # one model call: 11 min on two shared, busy cores
def test_the_model_adds_only_grounded_values_without_delaying_the_rules(embedded_llm) -> None:
    asked: list[list[dict[str, str]]] = []
    replies: list[dict[str, Any]] = []

    def complete(messages: list[dict[str, str]], schema: dict[str, Any]) -> dict[str, Any]:
        asked.append(messages)
        replies.append(embedded_llm.complete_json(messages, schema))
        return replies[-1]

    transcript = load_simsamu(eval_file(COMA))
    received: list[dict] = []

    async def send(text: str) -> None:
        received.append(json.loads(text))

    async def run() -> tuple[LiveCall, int]:
        call = LiveCall(complete=complete)
        relay = call.relay(send)
        for segment in transcript.segments:
            await relay(FinalMessage.of(segment).model_dump_json())
        before_end = len(received)
        end = EndMessage(reason="client", duration=transcript.duration, segments=15, language="fr")
        await relay(end.model_dump_json())
        return call, before_end

    call, before_end = asyncio.run(run())
    assert len(asked) == 1, "the finals that came while the model was busy wait for its next call"
    prompt = asked[0][1]["content"]
    assert all(f"[{s.id}]" in prompt for s in transcript.segments)
    rules = [m for m in received[:before_end] if m["type"] == "form"]
    assert rules and all(m["source"] == "rules" for m in rules), "the rules answered every final at once"
    from_model = [m for m in received if m["type"] == "form" and m["source"] == "llm"]
    assert all(received.index(m) >= before_end for m in from_model)
    assert received[-2]["complete"] and received[-1]["type"] == "end"

    added = [
        (key, v) for key, f in call.form.fields.items() for v in f.values + f.history if v.source == "llm"
    ]
    [reply] = replies
    print("model proposed:", reply, "\nkept:", [(key, v.value, v.evidence[0].quote) for key, v in added])
    assert isinstance(reply.get("facts"), list), "the model answered the schema"
    rules_only = new_form()  # the form the model's answer met: the rules had read every final
    for segment in transcript.segments:
        rules_only, _ = update(rules_only, [segment])
    kept = {(key, str(v.value)) for key, v in added}
    present = {key: {str(v) for v in rules_only.items(key)} for key in SPECS}
    for fact in reply["facts"]:  # each proposal is kept, or could not be: never a grounded one dropped
        key, value, quote = fact["field"], str(fact["value"]).strip(), str(fact["quote"]).strip()
        cited = next((s for s in transcript.segments if s.id == fact["segment"]), None)
        grounded = cited is not None and bool(quote and value) and clean(quote) in clean(cited.text)
        valid = SPECS[key].choices is None or value in SPECS[key].choices
        free = value not in present[key] if SPECS[key].multiple else not present[key]
        if grounded and valid and free:
            assert (key, value) in kept, fact
            present[key].add(value)
    for key, value in added:
        for evidence in value.evidence:
            assert clean(evidence.quote) in clean(transcript.segment(evidence.segment_id).text), (key, value)
        assert SPECS[key].choices is None or value.value in SPECS[key].choices
    for change in (c for m in from_model for c in m["changes"]):
        for evidence in change["evidence"]:
            assert clean(evidence["quote"]) in clean(transcript.segment(evidence["segment_id"]).text), change
