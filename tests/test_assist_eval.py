"""The meeting assistant against human references (../shared/eval), with the packaged model: the bars
of `python -m bench assist` on a part of its corpora that fits in CI, scored by the bench's own code.

- ELITR minuting `meeting_en_dev_006` (3,389 words: two pieces, so the map-reduce path, and 4 of
  the 13 "[PERSONx] will …" action lines of the dev set's human minutes): action-item recall and
  precision, ROUGE-1 against the human minutes beside the extractive baseline, grounding rate.
- ELITR-Bench: the first questions of that meeting's dev set (proxy judge of the bench).
- Simsamu: the first calls (French): the title and summary name the call's reason.

Each threshold sits under the figure measured with this code on this machine, given beside it.
"""

from __future__ import annotations

import pytest

from bench._assist_data import (
    elitr_actions,
    elitr_minutes,
    elitr_questions,
    elitr_transcript,
    simsamu_calls,
    simsamu_transcript,
)
from bench.assist import action_matches, answer_correct, minutes_text, names_reason
from greffier.assist.llm import LLM, load_llm
from greffier.assist.minutes import extractive_minutes, write_minutes
from greffier.assist.qa import PassageIndex, ask
from greffier.assist.types import Minutes
from greffier.config import get_settings

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

MEETING = "meeting_en_dev_006"
QUESTIONS = 5
CALLS = 5


@pytest.fixture(scope="module")
def llm() -> LLM:
    return load_llm(get_settings())


@pytest.fixture(scope="module")
def meeting():
    return elitr_transcript(MEETING)


@pytest.fixture(scope="module")
def minutes(llm, meeting) -> Minutes:
    return write_minutes(meeting, llm=llm)


def test_action_items_against_the_human_minutes(minutes) -> None:
    refs = elitr_actions(MEETING)
    found = sum(any(action_matches(a, r) for a in minutes.action_items) for r in refs)
    right = sum(any(action_matches(a, r) for r in refs) for a in minutes.action_items)
    print(f"recall {found}/{len(refs)}, precision {right}/{len(minutes.action_items)}")
    assert len(refs) == 4
    assert found >= RECALL_MIN and right / max(1, len(minutes.action_items)) >= PRECISION_MIN


def test_rouge_against_the_human_minutes_beats_the_key_passages(minutes, meeting) -> None:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    humans = elitr_minutes(MEETING)
    llm = scorer.score_multi(humans, minutes_text(minutes))["rouge1"].fmeasure
    base = scorer.score_multi(humans, minutes_text(extractive_minutes(meeting, "en")))["rouge1"].fmeasure
    print(f"ROUGE-1 F {llm:.3f}, extractive {base:.3f}")
    assert llm >= ROUGE_MIN and llm > base


def test_most_claims_are_grounded(minutes) -> None:
    g = minutes.grounding
    print(f"kept {g.kept}/{g.proposed}: {g.reasons()}")
    assert minutes.metadata.get("pieces", 0) >= 2  # the map-reduce path
    assert g.proposed >= 5 and g.kept / g.proposed >= GROUNDED_MIN


def test_elitr_bench_questions(llm, meeting) -> None:
    index = PassageIndex.build(meeting)
    asked = [q for q in elitr_questions() if q.meeting == MEETING][:QUESTIONS]
    answers = [ask(meeting, q.question, llm=llm, index=index) for q in asked]
    correct = [a.found and answer_correct(a.answer, q.answer) for a, q in zip(answers, asked, strict=True)]
    for q, a, ok in zip(asked, answers, correct, strict=True):
        print("OK" if ok else "--", q.question, "->", a.answer, "| gold", q.answer)
    assert sum(correct) >= QA_MIN
    assert all(a.spans for a in answers if a.found)  # every answer points at the meeting


def test_minutes_of_emergency_calls_name_their_reason(llm) -> None:
    calls = simsamu_calls()[:CALLS]
    named = {}
    for call in calls:
        m = write_minutes(simsamu_transcript(call), llm=llm)
        named[call] = names_reason(call, f"{m.title}\n{m.summary}")
        print(call, named[call], m.title, "|", m.summary[:100])
    assert sum(named.values()) >= REASON_MIN, named
