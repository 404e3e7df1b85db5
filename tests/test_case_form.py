"""`app.case_form.fill_form`, the one use-case behind the `call` job and `greffier call FILE`: the
rules' form, each changing segment heard in order, and the LLM pass skipped with a note when no
model can run. The job through the service is in test_calls_ws.py, the CLI in test_calls_gold.py."""

from __future__ import annotations

from bench.calls import gold_calls, transcript_for
from greffier.app.case_form import fill_form
from greffier.calls.extract import extract_transcript
from greffier.config import Settings

SETTINGS = Settings(llm_backend="none")


def test_the_rules_form_and_every_change_in_order() -> None:
    transcript = transcript_for(gold_calls()[0])
    heard: list[str] = []
    stages: list[tuple[str, float]] = []
    filled = fill_form(
        transcript,
        SETTINGS,
        call_id="c1",
        on_change=lambda segment, changes: heard.append(segment.id),
        progress=lambda stage, fraction: stages.append((stage, fraction)),
    )
    expected = extract_transcript(transcript, call_id="c1")
    assert filled.form.to_dict() == expected.to_dict() and filled.notes == ()
    order = [s.id for s in transcript.segments]
    assert heard and heard == sorted(set(heard), key=order.index), "each changing segment once, in order"
    assert stages == [("call", 0.0)]


def test_an_llm_that_cannot_run_leaves_the_rules_form_and_says_why() -> None:
    transcript = transcript_for(gold_calls()[0])
    filled = fill_form(transcript, SETTINGS, call_id="c1", llm=True)
    assert filled.form.to_dict() == extract_transcript(transcript, call_id="c1").to_dict()
    assert len(filled.notes) == 1 and filled.notes[0].startswith(
        "LLM pass skipped: no LLM: llm_backend is 'none'"
    )
