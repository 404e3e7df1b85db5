"""What a dataset export writes (`ExportOptions`): its format, the licences it takes, what becomes of
non-consenting speakers, the pseudonymisation, the dataset's name."""

from __future__ import annotations

from dataclasses import dataclass, field

from greffier.dataset.pseudonymise import PseudonymiseOptions

FORMATS = ("jsonl", "parquet")


@dataclass(frozen=True)
class ExportOptions:
    format: str = "jsonl"
    licences: tuple[str, ...] = ()  # only these licences; empty: every licence but "none"
    mask_refused: bool = False  # keep non-consenting speakers' turns as "[masqué]" instead of removing them
    pseudonymise: PseudonymiseOptions = field(default_factory=PseudonymiseOptions)
    name: str = "Greffier conversations"
