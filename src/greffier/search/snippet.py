"""The snippet of a hit: its passage's text (cut around the first matched word when long) and where
the query's words are in it, as character offsets: whoever shows it marks them (the web with <mark>
elements on text nodes, the CLI with brackets); no HTML is ever made here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from greffier.search.analyse import WORD, stem_words

MAX_CHARS = 320


@dataclass(frozen=True)
class Snippet:
    text: str
    highlights: tuple[tuple[int, int], ...]
    """[start, end) of each matched word in `text`."""

    def marked(self, before: str = "[", after: str = "]", quote: Callable[[str], str] = str) -> str:
        """The text with each matched word between `before` and `after`; `quote` escapes the text
        (e.g. `rich.markup.escape`)."""
        out, last = [], 0
        for start, end in self.highlights:
            out += [quote(self.text[last:start]), before, quote(self.text[start:end]), after]
            last = end
        return "".join([*out, quote(self.text[last:])])


def snippet(text: str, terms: list[frozenset[str]], language: str | None) -> Snippet:
    wanted = set().union(*terms) if terms else set()
    matches = list(WORD.finditer(text))
    stems = stem_words([m.group().casefold() for m in matches], language)
    spans = [(m.start(), m.end()) for m, s in zip(matches, stems, strict=True) if s in wanted]
    first = 0
    if len(text) > MAX_CHARS and spans:
        first = max(0, spans[0][0] - MAX_CHARS // 4)
        first = text.rfind(" ", 0, first) + 1 if first else 0
    last = min(len(text), first + MAX_CHARS)
    if last < len(text):
        last = max(text.rfind(" ", first, last), first + 1)
    cut = text[first:last]
    prefix = "…" if first else ""
    suffix = "…" if last < len(text) else ""
    shift = len(prefix) - first
    kept = tuple((s + shift, e + shift) for s, e in spans if s >= first and e <= last)
    return Snippet(prefix + cut + suffix, kept)
