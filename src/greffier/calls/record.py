"""The case form as it is stored beside a meeting (`call.json`): the form, its export, where it came from."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Literal

from greffier.calls.form import CaseForm

CASE_FILE = "call.json"


def case_record(
    form: CaseForm,
    *,
    source: Literal["live", "job"],
    call_id: str | None = None,
    transcript_version: int | None = None,
    notes: tuple[str, ...] = (),
) -> bytes:
    """The stored JSON: `form` (`to_dict()`), `export` (RS-EDA-like), `source`, `transcript_version`, `notes`."""
    if call_id is not None:
        form = replace(form, call_id=call_id)
    record: dict[str, Any] = {
        "source": source,
        "transcript_version": transcript_version,
        "notes": list(notes),
        "form": form.to_dict(),
        "export": form.to_export().model_dump(mode="json"),
    }
    return json.dumps(record, ensure_ascii=False).encode()
