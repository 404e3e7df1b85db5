"""Grounding on real transcripts: claims with a wrong owner, an invented date or no quote are dropped."""

from __future__ import annotations

import pytest

from bench._assist_data import elitr_transcript, simsamu_transcript
from greffier.assist import grounding
from greffier.assist.grounding import Grounder, Ledger


@pytest.fixture(scope="module")
def call():
    """dj_2022_arme_2: a sister calls for her stabbed brother; the doctor sends him to hospital."""
    return simsamu_transcript("dj_2022_arme_2")


def test_a_supported_action_is_kept_with_its_span(call):
    ledger = Ledger()
    item = Grounder(call).action(
        "envoyer les pompiers", "medecin", None, "on va vous envoyez des pompiers", ledger
    )
    assert item is not None
    (span,) = item.spans
    assert span.segment_ids == (30,)
    assert (span.start, span.end, span.speakers) == (
        call.segment(30).start,
        call.segment(30).end,
        ("medecin",),
    )
    assert ledger.report().kept == 1


def test_the_owner_may_be_named_or_speak_next_to_the_quote(call):
    ledger = Ledger()
    # segment 44 is the doctor's order; the sister (patient_1) answers in segment 43/45 around it
    item = Grounder(call).action(
        "amener son frère à l'hôpital en voiture",
        "patient_1",
        None,
        "prenez votre voiture, et amenez le à l'hôpital",
        ledger,
    )
    assert item is not None
    assert 44 in item.spans[0].segment_ids and "patient_1" in item.spans[0].speakers


def test_wrong_owner_is_dropped(call):
    ledger = Ledger()
    g = Grounder(call)
    # patient_2 does speak in the call, but not in (or next to) the passage quoted
    assert (
        g.action(
            "amener le frère à l'hôpital",
            "patient_2",
            None,
            "amenez le à l'hôpital, ce sera la meilleure solution",
            ledger,
        )
        is None
    )
    assert (
        g.action("envoyer les pompiers", "Docteur Martin", None, "on va vous envoyez des pompiers", ledger)
        is None
    )
    report = ledger.report()
    assert (report.proposed, report.kept) == (2, 0)
    assert report.reasons() == {grounding.OWNER_ABSENT: 2}


def test_invented_due_date_is_dropped(call):
    ledger = Ledger()
    item = Grounder(call).action(
        "envoyer les pompiers", "medecin", "demain matin", "on va vous envoyez des pompiers", ledger
    )
    assert item is None
    assert ledger.report().reasons() == {grounding.DUE_ABSENT: 1}


def test_stated_due_date_is_kept():
    meeting = elitr_transcript("meeting_en_dev_003")
    seg = next(s for s in meeting.segments if "by the end of the week" in s.text)
    ledger = Ledger()
    item = Grounder(meeting).action(
        "send something to read",
        seg.speaker,
        "by the end of the week",
        "I expect to send you, um, something",
        ledger,
    )
    assert item is not None and item.due == "by the end of the week"
    assert item.spans[0].speakers == (seg.speaker,)


def test_absent_or_paraphrased_quotes_are_dropped(call):
    ledger = Ledger()
    g = Grounder(call)
    assert (
        g.point("decision", "transport par le SAMU", "le patient est transporté par le SAMU", ledger) is None
    )
    assert (
        g.point("decision", "pas de pompiers", "les pompiers ne viendront pas", ledger) is None
    )  # paraphrase
    assert g.point("decision", "hôpital", "oui", ledger) is None  # too short to ground anything
    assert ledger.report().reasons() == {grounding.QUOTE_ABSENT: 2, grounding.QUOTE_TOO_SHORT: 1}


def test_a_near_verbatim_quote_is_found(call):
    ledger = Ledger()
    # the transcript says "dans heu dans le bras"; the model dropped the hesitation
    point = Grounder(call).point(
        "decision", "coup de couteau dans le bras", "il s'est pris un coup de couteau dans le bras", ledger
    )
    assert point is not None and point.spans[0].segment_ids == (3,)


def test_a_claim_unrelated_to_its_quote_is_dropped(call):
    ledger = Ledger()
    assert (
        Grounder(call).point(
            "decision", "le patient a de la fièvre", "on va vous envoyez des pompiers", ledger
        )
        is None
    )
    assert ledger.report().reasons() == {grounding.UNSUPPORTED: 1}


def test_scope_limits_the_search_to_what_the_model_read(call):
    ledger = Ledger()
    first_part = Grounder(call, call.segments[:20])
    assert (
        first_part.point("decision", "envoyer les pompiers", "on va vous envoyez des pompiers", ledger)
        is None
    )


def test_a_right_claim_citing_the_wrong_line_is_grounded_where_its_words_are(call):
    ledger = Ledger()
    g = Grounder(call)
    # the model cites segment 23; "envoyer des pompiers" is said in segment 30 ("envoyez des pompiers")
    point = g.point(
        "decision", "envoyer des pompiers", "il parle normalement, il est il est debout, il marche?", ledger
    )
    assert point is not None and point.spans[0].segment_ids == (30,)
    assert point.quote == call.segment(30).text
    # one content word is not enough for a decision ("pompiers" is in several lines), enough for an answer
    assert (
        g.point("decision", "les pompiers", "il parle normalement, il est il est debout, il marche?", ledger)
        is None
    )
    answer = g.point(
        "answer",
        "les pompiers",
        "il parle normalement, il est il est debout, il marche?",
        ledger,
        min_words=1,
    )
    assert answer is not None and "pompiers" in answer.quote


def test_quotes_with_double_quotes_and_backslashes_make_a_grammar() -> None:
    """ELITR meeting_en_dev_006 says: the one I would like to focus on is the "regular"data flow. llama.cpp's
    schema-to-grammar converter writes `\\"` for that `"`, which ends its GBNF literal: the grammar does
    not parse, and the process aborts when it samples with it."""
    import json

    from llama_cpp.llama_grammar import json_schema_to_gbnf
    from pydantic import BaseModel

    from greffier.assist.chunks import constrained_schema
    from greffier.assist.grounding import normalize

    class Claim(BaseModel):
        text: str
        quote: str

    quotes = ['the one I focus on is the "regular"data flow from you', r"a path C:\temp\x said aloud"]
    raw = json_schema_to_gbnf(json.dumps({"type": "string", "enum": quotes}))
    assert '\\\\"' in raw  # the converter's bug, which the constrained schema steers clear of
    schema = constrained_schema(Claim, quotes)
    allowed = schema["properties"]["quote"]["enum"]
    assert [normalize(q) for q in allowed] == [normalize(q) for q in quotes]
    grammar = json_schema_to_gbnf(json.dumps(schema))
    assert all(f'"\\"{q}\\""' in grammar for q in allowed)
