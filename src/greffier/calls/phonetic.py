"""A French phonetic key for names heard over the phone: what sounds alike gets the same letters.

`key("rue des Lilas") == key("rue dé lila")`; `key("Jaurès")` is near `key("Gérès")`. Simplified from
the French Soundex family (Phonex, Soundex2): accents off, digraphs to one sound (eau/au → o,
ph → f, qu → k, ch → ʃ written 'S', gn → N), nasals to one capital (an/en → A, on → O, in/ain/ein/un
→ I), soft c/g, silent h and final consonants dropped, doubled letters once. Compared with a fuzzy
ratio (`similar`), never as equality alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

_RULES: tuple[tuple[str, str], ...] = (
    (r"[^a-z]", ""),
    (r"eaux?", "o"),
    (r"aux?", "o"),
    (r"ph", "f"),
    (r"qu|q", "k"),
    (r"gu(?=[eiy])", "g"),
    (r"ch|sh|sch", "S"),
    (r"gn", "N"),
    (r"ill(?=[aeiouy]|$)", "y"),
    (r"c(?=[eiy])", "s"),
    (r"g(?=[eiy])", "j"),
    (r"ck|c", "k"),
    (r"x", "ks"),
    (r"oi|oy", "wa"),
    (r"ou|oo|u", "u"),
    (r"(?<=[aeiouy])s(?=[aeiouy])", "z"),
    (r"(?:[aeu]?i[nm]|y[nm]|u[nm])(?![aeiouynm])", "I"),
    (r"(?:[ae]n|[ae]m)(?![aeiouynm])", "A"),
    (r"o[nm](?![aeiouynm])", "O"),
    (r"[ae]i|[ée]", "e"),
    (r"h", ""),
    (r"y", "i"),
    (r"z", "s"),
    (r"w", "v"),
    (r"er$", "e"),
    (r"(?<=.)[estdxp]+$", ""),
    (r"(?<=.)e", ""),
    (r"(.)\1+", r"\1"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _RULES)


def plain(text: str) -> str:
    """Lower case, no accents, words joined by one space: 'Saint-Étienne' -> 'saint etienne'."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe").replace("æ", "ae"))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", letters))


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """The phonetic key of a name, words joined (word breaks are not heard)."""
    out = []
    for word in plain(text).split():
        for pattern, repl in _COMPILED:
            word = pattern.sub(repl, word)
        out.append(word)
    return "".join(out)


def similar(heard: str, name: str) -> float:
    """0–100: how alike two names are, by spelling and by sound: the better of the two, less up to one
    point for the worse (of two names that sound the same, the one spelt nearer wins)."""
    spelt = fuzz.ratio(plain(heard).replace(" ", ""), plain(name).replace(" ", ""))
    sound = fuzz.ratio(key(heard), key(name))
    return max(spelt, sound) - (100 - min(spelt, sound)) / 100
