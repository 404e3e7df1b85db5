"""Filling the emergency-call case form of a transcript, as the `call` job and `greffier call FILE`
do: the rules segment by segment (the live path's), then, when asked, the language model for what
they left empty. A model that cannot be loaded or answers badly leaves the rules' form and a note."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from greffier.calls.extract import extract_transcript
from greffier.calls.form import CaseForm
from greffier.calls.values import Change
from greffier.config import Settings
from greffier.transcript import Segment, Transcript


@dataclass(frozen=True)
class FilledForm:
    form: CaseForm
    notes: tuple[str, ...]
    """What was not done, and why (the LLM pass skipped)."""


def fill_form(
    transcript: Transcript,
    settings: Settings,
    *,
    regulator: str | None = None,
    call_id: str | None = None,
    llm: bool = False,
    on_change: Callable[[Segment, list[Change]], None] | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> FilledForm:
    """The form of `transcript` (`call_id` default: its metadata's call, else its source file);
    `on_change` hears each segment that changed it under the rules."""
    report = progress or (lambda stage, fraction: None)
    report("call", 0.0)
    form = extract_transcript(transcript, regulator=regulator, call_id=call_id, on_change=on_change)
    notes: list[str] = []
    if llm:
        from greffier.assist.llm import LLMOutputError, LLMUnavailable, load_llm
        from greffier.calls.llm import fill_llm

        report("call", 0.1)
        try:
            form, _ = fill_llm(form, transcript.segments, load_llm(settings).complete_json)
        except (LLMUnavailable, LLMOutputError) as exc:
            notes.append(f"LLM pass skipped: {exc}")
    return FilledForm(form, tuple(notes))
