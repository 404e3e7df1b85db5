"""The case form as a terminal table, with the suggested priority and care level (`greffier call`)."""

from __future__ import annotations

from rich.table import Table

from greffier.calls.catalogue import CARE_LEVELS, PRIORITIES, SCHEMA, label
from greffier.calls.form import CaseForm
from greffier.cli.app import console


def print_form(form: CaseForm) -> None:
    table = Table(
        "champ", "valeur", "segments", "historique", title=f"Dossier d'appel {form.call_id or ''}".strip()
    )
    for spec in SCHEMA:
        f = form[spec.key]
        if not f.values and not f.history:
            continue
        values = ", ".join(
            label(spec.key, v.value) + (" (LLM)" if v.source == "llm" else "") for v in f.values
        )
        segments = ", ".join(sorted({str(e.segment_id) for v in f.values for e in v.evidence}, key=int))
        history = " → ".join(label(spec.key, v.value) for v in f.history)
        style = "bold red" if spec.key == "red_flags" else None
        table.add_row(spec.label, f"[{style}]{values}[/]" if style else values, segments, history)
    console.print(table)
    for name, suggestion, names in (
        ("Priorité suggérée", form.priority, PRIORITIES),
        ("Niveau de soins suggéré", form.care_level, CARE_LEVELS),
    ):
        if suggestion is None:
            console.print(f"{name} : — (pas assez d'éléments)")
            continue
        reasons = "; ".join(r.text for r in suggestion.reasons)
        console.print(f"[bold]{name} : {suggestion.value}[/] ({names[suggestion.value]}) — {reasons}")
    console.print(f"[italic]{form.disclaimer}[/]")
