"""The minutes against human references, with the packaged model (Qwen2.5 1.5B, llama.cpp, in process).

- ELITR minuting dev, meeting_en_dev_006 (3,389 words, 2 pieces read side by side, 92 s here): ROUGE
  against the human minutes beside the key passages (the extractive baseline), and grounding. Measured: ROUGE-1/L
  F 0.300/0.177 against 0.261/0.130; 4 claims proposed, 1 kept. Its 4 reference action items are
  not found (0/4: this transcript has no speaker labels, and the 3 actions proposed were dropped for
  an owner neither speaking nor named): action items are the weak point (issue 5), so not bounded here.
- ELITR-Bench, the 13 dev questions on the same meeting, scored by the bench's proxy judge (the gold
  answer's entities named and half its content words): measured 4/13 right (3 before the pieces were batched), where the 5 passages shown
  to the model hold the answer 7 times. In the run with 3 right, of the other 10, 5 were answered "not said": 4 because the
  model's answer ("yes" twice where the gold says no, "no homework", "I") shares no word with the
  line it quotes, and the grounding dropped it; 1 right ("hybrid", an inference) was dropped the same way.
- Simsamu: the six shortest dev calls after the one `test_assist_llm` reads: how often the title and
  summary name the call's reason (from its dialogue name). Measured 5/6 (dj_mai_tetanie's summary
  says "inconsciente" but not the tetany); the first 50 words of each call name it 6/6, since the
  regulator says why the caller calls: on short calls the baseline is strong.

Scored by `bench.assist` (`python -m bench assist` prints the same figures for all meetings and calls).
Decoding is greedy, so a run gives the same minutes on the same build (batches round differently
from single steps, so the figures move when the batching does); the Simsamu bound sits one
call under the measured figure, as does the questions' bound; the meeting's at it (one grounded claim,
ROUGE above the baseline).
"""

from __future__ import annotations

import pytest

from bench._assist_data import elitr_questions, elitr_transcript, simsamu_transcript
from bench.assist import names_reason, score_meeting, score_question
from greffier.assist.minutes import write_minutes
from greffier.assist.qa import PassageIndex

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

MEETING = "meeting_en_dev_006"
BOUND_CORRECT = 3
"""ELITR-Bench questions on MEETING answered right (measured 4 of 13)."""
CALLS = (
    "dj_mai_enfant_pendu",
    "dj_2022_msn",
    "dj_mai_tetanie",
    "dj_2022_va_accoucher",
    "dj_mai_da_dt",
    "dj_mai_plaie_arme",
)


def test_meeting_minutes_against_the_human_minutes(embedded_llm) -> None:
    transcript = elitr_transcript(MEETING)
    minutes = write_minutes(transcript, llm=embedded_llm)
    score = score_meeting(MEETING, transcript, minutes)
    report = minutes.grounding
    print(score, report.kept, report.proposed, report.reasons(), minutes.metadata)
    assert score.rouge[0] > score.rouge_extractive[0] and score.rouge[2] > score.rouge_extractive[2]
    assert report.proposed >= 1 and report.kept >= 1, report.reasons()


def test_call_minutes_name_the_reason_for_the_call(embedded_llm) -> None:
    named, first_words = [], []
    for call in CALLS:
        transcript = simsamu_transcript(call)
        minutes = write_minutes(transcript, llm=embedded_llm)
        print(call, repr(minutes.title), repr(minutes.summary))
        named.append(names_reason(call, f"{minutes.title}\n{minutes.summary}"))
        first_words.append(names_reason(call, " ".join(transcript.text.split()[:50])))
    print("named", sum(named), "first 50 words", sum(first_words))
    assert sum(named) >= len(CALLS) - 2, named  # measured 5 of 6


def test_questions_against_elitr_bench(embedded_llm) -> None:
    transcript = elitr_transcript(MEETING)
    index = PassageIndex.build(transcript)
    scores = [
        score_question(q, transcript, embedded_llm, index) for q in elitr_questions() if q.meeting == MEETING
    ]
    for s in scores:
        print("OK" if s.correct else "--", "R" if s.retrieved else " ", repr(s.answer.answer))
    by_id = {s.id: s for s in transcript.segments}
    for s in scores:
        if s.answer.found:  # an answer rests on segments of the meeting, with their times
            assert s.answer.spans and all(
                (span.start, span.end) == (by_id[span.segment_ids[0]].start, by_id[span.segment_ids[-1]].end)
                for span in s.answer.spans
            )
    correct, retrieved = sum(s.correct for s in scores), sum(s.retrieved for s in scores)
    print("correct", correct, "retrieved", retrieved, "of", len(scores))
    assert len(scores) == 13
    assert correct >= BOUND_CORRECT
