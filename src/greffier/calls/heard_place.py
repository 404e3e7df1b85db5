"""An address as the caller says it and the recogniser writes it, when no street word survived.

"au 12 rédélilare à Toulouse" (rue des Lilas), "43 bis, à venue Jean-Gérès Allion" (avenue Jean
Jaurès à Lyon): `numbers.addresses` wants a street type and finds nothing. Here a house number
followed by words is taken as the heard address when the caller answers a question about where,
or says where they are ("j'habite au", "on est au", "c'est au"); the words after the last "à" are
the heard commune. What is kept is what was heard: `place.propose` matches it to the commune and
the street, as a proposal.
"""

from __future__ import annotations

import re

from greffier.calls.numbers import Match, normalize
from greffier.text import STREET_TYPES

ASKED_WHERE = re.compile(
    r"(?i)adresse|vous êtes\s+où|où êtes-vous|vous habitez\s+où|où (?:est-ce que )?vous (?:êtes|habitez|trouvez)"
    r"|quelle ville|quelle commune|c'est où|où ça se passe|où se trouve"
)
"""A question about where (not "où avez-vous mal ?")."""
_SAYS_WHERE = re.compile(r"(?i)habite|adresse|(?:on est|je suis|nous sommes|c'est) au \d")
_NUMBERED = re.compile(
    r"\b(\d{1,4})(?:\s*(bis|ter|quater))?\s*,?\s+"
    r"(?!ans\b|an\b|heures?\b|h\b|minutes?\b|kilos?\b|kg\b|mois\b|semaines?\b|jours?\b|fois\b|ème\b|e\b|er\b"
    r"|étages?\b|personnes?\b|euros?\b|comprimés?\b|degrés?\b|sur\s+10\b)"
    r"([A-Za-zÀ-ÿ'][A-Za-zÀ-ÿ'\- ,]{2,70})",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"(?i)\s*(?:,|\s)\s*(?:euh|heu|voilà|s'il vous plaît|c'est ça|madame|monsieur|vite)\b.*$"
)
_CITY_SPLIT = re.compile(r"(?i)\s(?:à|a)\s+(?=\S)")


def addresses(text: str, asked: str = "") -> list[tuple[Match, Match | None]]:
    """(heard address, heard commune or None) in a caller's words; `asked`: the question they answer.

    "un"/"une" stay words ("un coup de couteau" is no house number)."""
    norm = normalize(text, 2)
    if not (ASKED_WHERE.search(asked) or _SAYS_WHERE.search(norm)):
        return []
    found = []
    for m in _NUMBERED.finditer(norm):
        number = m.group(1) + (f" {m.group(2).lower()}" if m.group(2) else "")
        rest = _FILLER.sub("", m.group(3)).strip(" ,")
        parts = _CITY_SPLIT.split(rest)
        street, city = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (rest, None)
        street = street.strip(" ,")
        if len(street) < 3:
            continue
        city_match = Match(city.strip(" ,"), city) if city and len(city.split()) <= 4 else None
        if city and city_match is None:
            street = rest
        found.append((Match(f"{number} {street}", m.group().strip()), city_match))
    return found


_LEAD = re.compile(
    r"(?i)^\s*(?:(?:on est|je suis|nous sommes|c'est|alors|euh|heu|oui)\s*,?\s*)*(?:à|a|sur|dans)?\s+"
)


def city_answer(text: str, asked: str) -> Match | None:
    """A commune given in answer to "vous êtes où ?" without an address the rules can read: alone
    ("À Bordeaux.", "mon pelier"), or as the last words of a misheard answer ("j'habite au huir et de
    mettre sa toulouse"), when the gazetteer knows it (for the last words: spelt exactly, a commune
    of 2 000 people or more, so that a common word is not taken for a village)."""
    from greffier.calls.communes import gazetteer

    norm = normalize(text).strip(" .!?")
    if not ASKED_WHERE.search(asked):
        return None
    words = norm.split()
    if not re.search(r"\d", norm) and len(words) <= 5:
        heard = _LEAD.sub("", " " + norm).strip(" ,")
        if heard and gazetteer().find(heard):
            return Match(heard, norm)
    for n in (3, 2, 1):
        tail = " ".join(words[-n:]).strip(" ,.")
        found = gazetteer().find(tail) if len(words) > n and len(tail) >= 4 else None
        if found and found.confidence == 1.0 and found.commune.population >= 2000:
            return Match(tail, " ".join(words[-n - 1 :]))
    return None


_STREET_WORD = re.compile(rf"(?i)\b(?:{STREET_TYPES['fr']})s?\b")


def answer_address(text: str, asked: str) -> Match | None:
    """The whole answer to "vous êtes où ?" as the heard address, when the rules read none from it but
    it has a house number or a street word ("J'habite en 8 rues de mètes à Toulouse", "Vén boulevard
    des beaux salions"), or names a commune after other words ("Rémoncé à Lyon": the words before
    it); `place.propose` then finds the street and commune by sound anywhere in it
    (`address_scan`)."""
    if not ASKED_WHERE.search(asked):
        return None
    norm = normalize(text, 2).strip(" .!?")
    heard = _FILLER.sub("", _LEAD.sub("", " " + norm)).strip(" ,.")
    if len(heard.split()) < 2:
        return None
    if re.search(r"\d", heard) or _STREET_WORD.search(heard):
        return Match(heard, norm)
    city = city_answer(text, asked)
    if city is not None and len(heard.split()) > len(city.value.split()):
        return Match(heard, norm)
    return None
