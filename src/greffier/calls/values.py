"""The values of a case form: what each field holds, with the transcript spans it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from greffier.calls.catalogue import SPECS, FieldSpec, Scalar
from greffier.transcript import TimeSpan, keys_in_order

Source = Literal["rule", "llm", "regulator"]
Action = Literal["set", "replaced", "added", "removed", "evidence", "suggested"]


@dataclass(frozen=True)
class Evidence(TimeSpan):
    """A transcript span a value comes from: in a segment, the time of the words quoted."""

    segment_id: int
    speaker: str | None
    quote: str

    _wire = keys_in_order("segment_id", "start", "end", "speaker", "quote")


@dataclass(frozen=True)
class FieldValue:
    value: Scalar
    evidence: tuple[Evidence, ...] = ()
    source: Source = "rule"
    note: str | None = None
    """Why the extractor set it (e.g. 'answer to: est-ce qu'il respire ?')."""


@dataclass(frozen=True)
class FormField:
    key: str
    values: tuple[FieldValue, ...] = ()
    """The current value (single-valued fields: at most one) or items (list fields)."""
    history: tuple[FieldValue, ...] = ()
    """Values that were replaced or withdrawn, oldest first."""

    @property
    def spec(self) -> FieldSpec:
        return SPECS[self.key]

    @property
    def value(self) -> Scalar | None:
        return self.values[-1].value if self.values else None

    @property
    def items(self) -> list[Scalar]:
        return [v.value for v in self.values]


@dataclass(frozen=True)
class Change:
    """One edit of the form: what the live page highlights."""

    key: str
    action: Action
    value: Scalar | None
    previous: Scalar | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Reason:
    text: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A suggested priority or care level with the rules that led to it."""

    value: str
    reasons: tuple[Reason, ...]
