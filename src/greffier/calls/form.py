"""The state of an emergency-call case form: one `FormField` (see `values`) per entry of `catalogue.SCHEMA`.

Every value carries the transcript spans it comes from (`Evidence`: segment id, start, end, speaker,
quote). A single-valued field keeps the values it replaced in `history` (a caller's "non, au troisième
étage" replaces "au deuxième"); a list field (history, treatments, pain sites, red flags, risks)
accumulates items. Forms are frozen: `set_value` / `add_item` return a new form and the `Change` they made.

The priority (P0–P3) and care level (R1–R4) are *suggestions* with their reasons: the regulating
physician decides (`DISCLAIMER`). `to_dict` / `from_dict` and `change_dict` / `change_of` are the
form's JSON (pydantic `TypeAdapter`s over the wire shapes at the end of this module); `to_export`
gives the RS-EDA-like case (`export.CaseExport`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter

from greffier.calls.catalogue import DISCLAIMER, SCHEMA, SPECS, FieldSpec, Scalar, label
from greffier.calls.export import CaseExport, build_export
from greffier.calls.values import Action, Change, Evidence, FieldValue, FormField, Reason, Source, Suggestion


@dataclass(frozen=True)
class CaseForm:
    fields: dict[str, FormField] = field(
        default_factory=lambda: {spec.key: FormField(spec.key) for spec in SCHEMA}
    )
    priority: Suggestion | None = None
    care_level: Suggestion | None = None
    call_id: str | None = None
    segments_seen: int = 0
    last_time: float = 0.0
    disclaimer: str = DISCLAIMER
    context: Any = None
    """What the extractor remembers between updates (`extract.CallContext`); not part of the case."""

    def __getitem__(self, key: str) -> FormField:
        return self.fields[key]

    def value(self, key: str) -> Scalar | None:
        return self.fields[key].value

    def items(self, key: str) -> list[Scalar]:
        return self.fields[key].items

    # -- editing (returns new forms) -------------------------------------------------------------
    def set_value(self, key: str, new: FieldValue) -> tuple[CaseForm, Change | None]:
        """Set a single-valued field; a different value replaces the current one, which goes to history."""
        spec = SPECS[key]
        if spec.multiple:
            raise ValueError(f"{key} holds a list: use add_item")
        _check_choice(spec, new.value)
        current = self.fields[key]
        if current.values and current.value == new.value:
            merged = _merge_evidence(current.values[-1], new)
            if merged is current.values[-1]:
                return self, None
            return self._with(replace(current, values=(merged,))), Change(
                key, "evidence", new.value, None, new.evidence
            )
        history = current.history + current.values
        action = "replaced" if current.values else "set"
        changed = replace(current, values=(new,), history=history)
        return self._with(changed), Change(key, action, new.value, current.value, new.evidence)

    def add_item(self, key: str, new: FieldValue) -> tuple[CaseForm, Change | None]:
        """Add an item to a list field (or more evidence to an item already there)."""
        spec = SPECS[key]
        if not spec.multiple:
            raise ValueError(f"{key} holds one value: use set_value")
        _check_choice(spec, new.value)
        current = self.fields[key]
        for i, item in enumerate(current.values):
            if item.value == new.value:
                merged = _merge_evidence(item, new)
                if merged is item:
                    return self, None
                values = (*current.values[:i], merged, *current.values[i + 1 :])
                return self._with(replace(current, values=values)), Change(
                    key, "evidence", new.value, None, new.evidence
                )
        return self._with(replace(current, values=(*current.values, new))), Change(
            key, "added", new.value, None, new.evidence
        )

    def remove_item(self, key: str, value: Scalar) -> tuple[CaseForm, Change | None]:
        """Withdraw an item of a list field; it stays in the field's history."""
        current = self.fields[key]
        kept = tuple(v for v in current.values if v.value != value)
        gone = tuple(v for v in current.values if v.value == value)
        if not gone:
            return self, None
        return self._with(replace(current, values=kept, history=current.history + gone)), Change(
            key, "removed", None, value
        )

    def _with(self, changed: FormField) -> CaseForm:
        return replace(self, fields={**self.fields, changed.key: changed})

    # -- output -----------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The form as plain JSON: every field with its current value(s), evidence and history."""
        fields = {key: _field_json(f) for key, f in self.fields.items()}
        wire = _FormJSON(
            call_id=self.call_id,
            segments_seen=self.segments_seen,
            time=self.last_time,
            disclaimer=self.disclaimer,
            fields=fields,
            priority=_suggestion_json(self.priority),
            care_level=_suggestion_json(self.care_level),
        )
        return _FORM.dump_python(wire, mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseForm:
        """The form `to_dict` wrote (a stored record, a `form` message): what the extractor remembers
        between updates is not in it, so a form read back is for reading, not for more updates."""
        wire = _FORM.validate_python(data)
        fields = {}
        for key, f in wire.fields.items():
            current = f.items if isinstance(f, _ListJSON) else [f.value] if f.value else []
            fields[key] = FormField(key, tuple(v.of() for v in current), tuple(v.of() for v in f.history))
        return cls(
            fields=fields,
            priority=wire.priority.of() if wire.priority else None,
            care_level=wire.care_level.of() if wire.care_level else None,
            call_id=wire.call_id,
            segments_seen=wire.segments_seen,
            last_time=wire.time,
            disclaimer=wire.disclaimer,
        )

    def to_export(self) -> CaseExport:
        return build_export(self.fields, self.call_id, self.priority, self.care_level, self.disclaimer)


def _check_choice(spec: FieldSpec, value: Scalar) -> None:
    if spec.choices is not None and str(value) not in spec.choices:
        raise ValueError(f"{value!r} is not a code of {spec.key} ({', '.join(spec.choices)})")


def _merge_evidence(old: FieldValue, new: FieldValue) -> FieldValue:
    known = {(e.segment_id, e.quote) for e in old.evidence}
    extra = tuple(e for e in new.evidence if (e.segment_id, e.quote) not in known)
    return replace(old, evidence=old.evidence + extra) if extra else old


# -- JSON (pydantic: the edge) -----------------------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ValueJSON(_Wire):
    value: Scalar
    label: str
    source: Source
    note: str | None
    evidence: list[Evidence]

    def of(self) -> FieldValue:
        return FieldValue(self.value, tuple(self.evidence), self.source, self.note)


class _OneJSON(_Wire):
    label: str
    multiple: Literal[False]
    value: _ValueJSON | None
    history: list[_ValueJSON]


class _ListJSON(_Wire):
    label: str
    multiple: Literal[True]
    items: list[_ValueJSON]
    history: list[_ValueJSON]


class _SuggestionJSON(_Wire):
    value: str
    suggested: Literal[True] = True
    reasons: list[Reason]

    def of(self) -> Suggestion:
        return Suggestion(self.value, tuple(self.reasons))


class _FormJSON(_Wire):
    call_id: str | None
    segments_seen: int
    time: float
    disclaimer: str
    fields: dict[str, _OneJSON | _ListJSON]
    priority: _SuggestionJSON | None
    care_level: _SuggestionJSON | None


class _ChangeJSON(_Wire):
    key: str
    action: Action
    value: Scalar | None
    previous: Scalar | None
    label: Scalar | None
    evidence: list[Evidence]


_FORM = TypeAdapter(_FormJSON)
_CHANGE = TypeAdapter(_ChangeJSON)


def _value_json(key: str, v: FieldValue) -> _ValueJSON:
    return _ValueJSON(
        value=v.value, label=label(key, v.value), source=v.source, note=v.note, evidence=list(v.evidence)
    )


def _field_json(f: FormField) -> _OneJSON | _ListJSON:
    history = [_value_json(f.key, v) for v in f.history]
    if f.spec.multiple:
        return _ListJSON(
            label=f.spec.label,
            multiple=True,
            items=[_value_json(f.key, v) for v in f.values],
            history=history,
        )
    value = _value_json(f.key, f.values[-1]) if f.values else None
    return _OneJSON(label=f.spec.label, multiple=False, value=value, history=history)


def _suggestion_json(s: Suggestion | None) -> _SuggestionJSON | None:
    return _SuggestionJSON(value=s.value, reasons=list(s.reasons)) if s else None


def change_dict(change: Change) -> dict[str, Any]:
    wire = _ChangeJSON(
        key=change.key,
        action=change.action,
        value=change.value,
        previous=change.previous,
        label=label(change.key, change.value) if change.key in SPECS else change.value,
        evidence=list(change.evidence),
    )
    return _CHANGE.dump_python(wire, mode="json")


def change_of(data: dict[str, Any]) -> Change:
    """The `Change` that `change_dict` wrote."""
    wire = _CHANGE.validate_python(data)
    return Change(wire.key, wire.action, wire.value, wire.previous, tuple(wire.evidence))
