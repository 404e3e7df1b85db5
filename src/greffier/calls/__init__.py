"""Emergency-call assistant: the SAMU case form (RS-EDA-like), filled from the transcript as the call goes.

Live path and web page: `new_form(call_id, regulator)`, then `update(form, segments) -> (form, changes)`
for each batch of finalised segments; `update_llm(form, segments, complete)` adds grounded LLM facts;
`form.to_dict()`, `change_dict(change)` and `form.to_export()` give JSON.
"""

from greffier.calls.catalogue import DISCLAIMER
from greffier.calls.export import CaseExport
from greffier.calls.extract import extract_transcript, new_form, update
from greffier.calls.form import CaseForm, change_dict
from greffier.calls.llm import update_llm
from greffier.calls.values import Change

__all__ = [
    "DISCLAIMER",
    "CaseExport",
    "CaseForm",
    "Change",
    "change_dict",
    "extract_transcript",
    "new_form",
    "update",
    "update_llm",
]
