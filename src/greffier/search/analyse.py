"""Words as both indexes see them: case and accents folded, French or English stems (Snowball, through
PyStemmer). A passage is stemmed in its meeting's language; a query in both, each word matching
either stem, since a question's language is not known."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from greffier.assist.grounding import STOPWORDS
from greffier.store.search import fold

LANGUAGES = {"fr": "french", "en": "english"}
WORD = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 20


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def words(text: str) -> list[str]:
    """The words of `text`, lower case, accents kept (the stemmers want them)."""
    return WORD.findall(text.casefold())


def stem_words(tokens: list[str], language: str | None) -> list[str]:
    """Folded stems in `language` (fr, en); other languages: the folded words."""
    name = LANGUAGES.get((language or "").split("-")[0].lower())
    stems = _stemmer(name).stemWords(tokens) if name else tokens
    return [fold(s) for s in stems]


def index_text(text: str, language: str | None) -> str:
    """What the words index holds for a passage: its stems, space-separated."""
    return " ".join(stem_words(words(text), language))


def query_terms(query: str) -> list[frozenset[str]]:
    """For each content word of the query (function words dropped unless nothing else is left): the
    stems it may match, French and English."""
    tokens = words(query)
    kept = [t for t in tokens if fold(t) not in STOPWORDS] or tokens
    kept = list(dict.fromkeys(kept))[:MAX_QUERY_WORDS]
    per_language = [stem_words(kept, code) for code in LANGUAGES]
    return [frozenset({fold(t), *(stems[i] for stems in per_language)}) for i, t in enumerate(kept)]
