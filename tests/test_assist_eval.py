"""The minutes against human references, with the packaged model (Qwen2.5 1.5B, llama.cpp, in process).

- ELITR minuting dev, meeting_en_dev_006 (3,389 words, 2 pieces, 207 s here): ROUGE against the
  human minutes beside the key passages (the extractive baseline), and grounding. Measured: ROUGE-1/L
  F 0.287/0.161 against 0.261/0.130; 2 claims proposed, 1 kept. Its 4 reference action items are
  not found (0/4: this transcript has no speaker labels, and the one action proposed was dropped for
  an owner neither speaking nor named): action items are the weak point (issue 5), so not bounded here.
- Simsamu: the six shortest dev calls after the one `test_assist_llm` reads: how often the title and
  summary name the call's reason (from its dialogue name). Measured 5/6 (dj_mai_tetanie's summary
  says "inconsciente" but not the tetany); the first 50 words of each call name it 6/6, since the
  regulator says why the caller calls: on short calls the baseline is strong.

Scored by `bench.assist` (`python -m bench assist` prints the same figures for all meetings and calls).
Decoding is greedy, so a run gives the same minutes on the same build; the Simsamu bound sits one
call under the measured figure, the meeting's at it (one grounded claim, ROUGE above the baseline).
"""

from __future__ import annotations

import pytest

from bench._assist_data import elitr_transcript, simsamu_transcript
from bench.assist import names_reason, score_meeting
from greffier.assist.minutes import write_minutes

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

MEETING = "meeting_en_dev_006"
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
