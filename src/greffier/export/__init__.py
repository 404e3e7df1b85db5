"""Transcript exports, one module per format: `render(transcript, fmt)` -> text or bytes."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from greffier.errors import OptionsError
from greffier.export import docx, json_, md, rttm, srt, tsv, txt, vtt
from greffier.transcript import Transcript

_MODULES: dict[str, ModuleType] = {
    "json": json_,
    "srt": srt,
    "vtt": vtt,
    "txt": txt,
    "tsv": tsv,
    "md": md,
    "docx": docx,
    "rttm": rttm,
}

FORMATS: tuple[str, ...] = tuple(_MODULES)

MEDIA_TYPES: dict[str, str] = {name: module.MEDIA_TYPE for name, module in _MODULES.items()}


def renderer(fmt: str) -> Callable[[Transcript], str | bytes]:
    try:
        return _MODULES[fmt].render
    except KeyError:
        raise OptionsError(f"unknown output format {fmt!r}", f"choose among {', '.join(FORMATS)}") from None


def render(transcript: Transcript, fmt: str) -> str | bytes:
    return renderer(fmt)(transcript)


def parse_formats(value: str) -> list[str]:
    """'json,srt' or 'all' -> validated list of formats."""
    names = list(FORMATS) if value.strip() == "all" else [v.strip() for v in value.split(",") if v.strip()]
    for name in names:
        renderer(name)
    return names
