"""Guidance, not only flags: the next questions for the critical fields still missing, and the
telephone-CPR instructions as soon as "unconscious" and "not breathing" are heard in a partial."""

from __future__ import annotations

from bench.calls import gold_calls, transcript_for
from bench.calls_guidance import relay_call
from bench.calls_where import ADDRESS_BASE, where_calls
from greffier.calls.extract import extract_transcript, new_form
from greffier.calls.guidance import CPR_STEPS, guide
from greffier.calls.place import propose
from greffier.calls.simsamu import load_simsamu
from greffier.calls.streets import load_address_base


def test_an_empty_form_asks_where_callback_conscious_breathing() -> None:
    asked = [q.key for q in guide(new_form()).questions]
    assert asked == [
        "location.address",
        "location.city",
        "caller.callback_number",
        "vitals.consciousness",
        "vitals.breathing",
    ]
    assert guide(new_form()).cpr is None


def test_a_question_goes_once_its_field_is_filled_and_a_proposal_is_to_confirm() -> None:
    path = next(p for p in where_calls() if p.stem == "where_lilas")
    form = extract_transcript(load_simsamu(path))
    place = propose("12 rédélilare", "Toulouse", load_address_base(ADDRESS_BASE))
    guidance = guide(form, place)
    asked = {q.key: q.text for q in guidance.questions}
    assert asked["location.address"] == "Adresse à confirmer : 12 Rue des Lilas à Toulouse ?"
    assert "location.city" not in asked and "vitals.consciousness" not in asked
    assert "caller.callback_number" in asked


def test_cpr_comes_from_the_provisional_words_within_a_second() -> None:
    """Partials word by word (the live path): the prompt comes from a partial, before its sentence is
    final; measured 0.2–12 ms after the partial arrived (bench calls_guidance)."""
    msn = next(d for d in gold_calls() if d["call"] == "dj_2022_msn")
    arret = next(p for p in where_calls() if p.stem == "where_arret")
    for prompt in (
        relay_call("msn", transcript_for(msn), True),
        relay_call("arret", load_simsamu(arret), True),
    ):
        assert prompt.provisional is True, prompt
        assert prompt.delay_ms is not None and prompt.delay_ms < 1000
    form = extract_transcript(load_simsamu(arret))
    assert guide(form).cpr == CPR_STEPS
    assert not {"vitals.consciousness", "vitals.breathing"} & {q.key for q in guide(form).questions}


def test_no_cpr_prompt_on_a_call_without_both_signs() -> None:
    lilas = next(p for p in where_calls() if p.stem == "where_lilas")
    assert relay_call("lilas", load_simsamu(lilas), False).provisional is None
