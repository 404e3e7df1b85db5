"""Optional LLM pass: fill the form fields the rules left empty, every value grounded in a quote.

The model is any callable `complete(messages, schema) -> dict` that answers a chat with JSON
following a JSON schema (greffier.assist.llm provides one for llama.cpp and OpenAI-compatible
servers). A proposed value is kept only if its code is one of the field's codes and its quote is
found in the segment it cites; it never replaces a value the rules found (numbers, vital signs and
red flags stay rule-based), and it is marked `source="llm"`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from greffier.calls.catalogue import SPECS
from greffier.calls.extract import refresh_suggestion
from greffier.calls.form import CaseForm
from greffier.calls.rules import clean
from greffier.calls.values import Change, Evidence, FieldValue
from greffier.transcript import Segment

JsonComplete = Callable[[list[dict[str, str]], dict[str, Any]], dict[str, Any]]

LLM_FIELDS = (
    "what_happened",
    "health_motive",
    "caller.communication",
    "location.kind",
    "location.access",
    "patient.history",
    "patient.treatments",
    "risks",
)
"""Fields where wording varies too much for rules; the others stay with the rules."""

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "enum": list(LLM_FIELDS)},
                    "value": {"type": "string"},
                    "segment": {"type": "integer"},
                    "quote": {"type": "string"},
                },
                "required": ["field", "value", "segment", "quote"],
            },
        }
    },
    "required": ["facts"],
}


def prompt(segments: list[Segment]) -> list[dict[str, str]]:
    fields = []
    for key in LLM_FIELDS:
        spec = SPECS[key]
        codes = (
            f" codes: {', '.join(f'{c} ({lab})' for c, lab in spec.choices.items())}"
            if spec.choices
            else " texte libre"
        )
        fields.append(f"- {key}: {spec.label};{codes}")
    lines = "\n".join(f"[{s.id}] {s.speaker or '?'}: {s.text}" for s in segments)
    system = (
        "Tu remplis le dossier d'un appel au SAMU. Ne donne que des faits dits dans la transcription, "
        "chacun avec le numéro du segment et la citation exacte qui le dit. Les antécédents, traitements et "
        "symptômes sont ceux du patient, pas de l'appelant.\nChamps :\n" + "\n".join(fields)
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": lines}]


def update_llm(
    form: CaseForm, new_segments: Iterable[Segment], complete: JsonComplete
) -> tuple[CaseForm, list[Change]]:
    """Ask the model about the new segments; add the grounded facts the rules did not find."""
    segments = list(new_segments)
    if not segments:
        return form, []
    reply = complete(prompt(segments), SCHEMA)
    by_id = {s.id: s for s in segments}
    changes: list[Change] = []
    for fact in reply.get("facts", []) if isinstance(reply, dict) else []:
        key, value, quote = (
            fact.get("field"),
            str(fact.get("value", "")).strip(),
            str(fact.get("quote", "")).strip(),
        )
        seg = by_id.get(fact.get("segment"))  # type: ignore[arg-type]
        if (
            key not in LLM_FIELDS
            or seg is None
            or not value
            or not quote
            or clean(quote) not in clean(seg.text)
        ):
            continue  # not grounded in the segment it cites
        spec = SPECS[key]
        if spec.choices is not None and value not in spec.choices:
            continue
        fv = FieldValue(
            value, (Evidence(seg.start, seg.end, segment_id=seg.id, speaker=seg.speaker, quote=quote),), "llm"
        )
        if spec.multiple:
            form, change = form.add_item(key, fv)
        elif form.value(key) is None:
            form, change = form.set_value(key, fv)
        else:
            continue
        if change:
            changes.append(change)
    form = refresh_suggestion(form, changes)
    return form, changes


WINDOW_SEGMENTS = 30
"""Segments read per model call when a whole call is read at once (the 1.5B model keeps up to this)."""


def fill_llm(
    form: CaseForm, segments: Iterable[Segment], complete: JsonComplete
) -> tuple[CaseForm, list[Change]]:
    """`update_llm` over a whole transcript, window by window."""
    segments = list(segments)
    changes: list[Change] = []
    for start in range(0, len(segments), WINDOW_SEGMENTS):
        form, new = update_llm(form, segments[start : start + WINDOW_SEGMENTS], complete)
        changes += new
    return form, changes
