"""The spans of minutes, answers and case forms are `TimeSpan`s, and their JSON is the one stored
before they were: the same keys in the same order (stored minutes, answers and call records are
read by clients that may depend on it)."""

from __future__ import annotations

import json

from pydantic import TypeAdapter

from greffier.assist.types import Answer, Minutes, Passage, Point, Span, Topic
from greffier.calls.extract import extract_transcript
from greffier.calls.form import CaseForm
from greffier.calls.record import case_record
from greffier.calls.values import Evidence
from greffier.transcript import Segment, TimeSpan, Transcript

SEGMENTS = (
    Segment(0, 0.0, 4.0, "SAMU bonjour, quelle est l'adresse ?", speaker="SPEAKER_00"),
    Segment(
        1, 5.0, 9.0, "Mon père est tombé, il ne respire plus, il a quatre-vingts ans", speaker="SPEAKER_01"
    ),
)
SPAN_KEYS = ["segment_ids", "start", "end", "speakers"]
EVIDENCE_KEYS = ["segment_id", "start", "end", "speaker", "quote"]


def _minutes() -> Minutes:
    span = Span.of(SEGMENTS)
    return Minutes(
        language="fr",
        title="Appel",
        summary="Un appel",
        topics=(Topic(0.0, 9.0, title="chute", segment_ids=(0, 1)),),
        decisions=(Point("envoyer le SMUR", "il ne respire plus", (span,)),),
        key_passages=(Passage("il ne respire plus", span),),
    )


def test_spans_evidence_and_topics_are_time_spans() -> None:
    span = Span.of(SEGMENTS)
    assert isinstance(span, TimeSpan) and (span.start, span.end, span.duration) == (0.0, 9.0, 9.0)
    assert issubclass(Evidence, TimeSpan) and issubclass(Topic, TimeSpan)


def test_minutes_and_answers_keep_their_json_key_order() -> None:
    minutes = _minutes()
    for data in (minutes.to_dict(), json.loads(TypeAdapter(Minutes).dump_json(minutes))):
        assert list(data["decisions"][0]["spans"][0]) == SPAN_KEYS
        assert list(data["key_passages"][0]["span"]) == SPAN_KEYS
        assert list(data["topics"][0]) == ["title", "start", "end", "segment_ids"]
    assert Minutes.from_dict(json.loads(json.dumps(minutes.to_dict()))) == minutes
    answer = Answer("Qui est tombé ?", "Le père", True, (Span.of(SEGMENTS[1:]),), "mon père est tombé")
    assert list(answer.to_dict()["spans"][0]) == SPAN_KEYS
    assert answer.to_dict()["spans"][0]["segment_ids"] == (1,)


def test_a_case_records_evidence_keeps_its_json_key_order() -> None:
    form = extract_transcript(Transcript(language="fr", duration=10.0, segments=SEGMENTS), call_id="c")
    record = json.loads(case_record(form, source="job", transcript_version=1))
    evidence = [
        e
        for f in record["form"]["fields"].values()
        for v in f.get("items", [f.get("value")])
        if v
        for e in v["evidence"]
    ]
    assert evidence, "the rules found nothing to check the evidence of"
    assert all(list(e) == EVIDENCE_KEYS for e in evidence)
    assert CaseForm.from_dict(record["form"]).to_dict() == record["form"]
