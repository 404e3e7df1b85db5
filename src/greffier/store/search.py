"""Meeting search: the title and the latest transcript text, folded (case and accents ignored), so that
"reunion" finds "Réunion" with a plain LIKE on every database."""

from __future__ import annotations

import unicodedata


def fold(*texts: str | None) -> str:
    """Lower-cased, accents removed, whitespace collapsed; parts joined by a new line."""
    parts = []
    for text in texts:
        if text:
            decomposed = unicodedata.normalize("NFKD", text.casefold())
            stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
            parts.append(" ".join(stripped.split()))
    return "\n".join(parts)


def terms(query: str) -> list[str]:
    """The words of a search, folded; a meeting matches when it holds every one of them."""
    return fold(query).split()[:20]
