"""Spoken numbers as digits, with a way back to the original characters.

Transcripts spell numbers out ("zéro six douze trente-quatre…"); the identifier rules work on digits.
`text2num` (written for French speech-recognition output) turns number words into digits; this module
aligns its output with the input token by token, so that a match in the digit form maps back to the
exact span of words that were spoken.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from greffier.text import spoken_digits

_TOKEN = re.compile(r"\S+")
_LANGUAGES = {"fr": "fr", "en": "en", "es": "es", "de": "de", "it": "it", "pt": "pt", "nl": "nl"}


@dataclass(frozen=True)
class Normalised:
    """`text` with numbers as digits; `original(start, end)` maps a span of `text` back to the input."""

    source: str
    text: str
    _pieces: tuple[tuple[int, int, int, int], ...]  # (norm_start, norm_end, orig_start, orig_end)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The smallest span of the input covering every piece that [start, end) touches."""
        touched = [p for p in self._pieces if p[0] < end and start < p[1]]
        if not touched:
            return start, end
        first, last = touched[0], touched[-1]
        # inside an unchanged piece the offsets shift by a constant; a rewritten piece maps whole
        begin = first[2] + (start - first[0]) if _same(first, self) else first[2]
        finish = last[3] - (last[1] - end) if _same(last, self) else last[3]
        return max(begin, first[2]), min(finish, last[3])


def _same(piece: tuple[int, int, int, int], norm: Normalised) -> bool:
    return norm.text[piece[0] : piece[1]] == norm.source[piece[2] : piece[3]]


def normalise(text: str, language: str) -> Normalised:
    lang = _LANGUAGES.get(language)
    digits = spoken_digits(text, lang) if lang else text
    if digits == text:
        return Normalised(text, text, ((0, len(text), 0, len(text)),))
    src = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    dst = [(m.start(), m.end()) for m in _TOKEN.finditer(digits)]
    matcher = difflib.SequenceMatcher(
        a=[text[s:e] for s, e in src], b=[digits[s:e] for s, e in dst], autojunk=False
    )
    pieces: list[tuple[int, int, int, int]] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            pieces += [(*dst[b0 + k], *src[a0 + k]) for k in range(a1 - a0)]
        elif b1 > b0 and a1 > a0:
            pieces.append((dst[b0][0], dst[b1 - 1][1], src[a0][0], src[a1 - 1][1]))
    return Normalised(text, digits, tuple(pieces))
