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

ASKED_WHERE = re.compile(r"(?i)adresse|\boù\b|quelle ville|quelle commune|vous êtes\s+où|se trouve")
_SAYS_WHERE = re.compile(r"(?i)habite|adresse|on est au|je suis au|c'est au|nous sommes au|domicile|^\s*au\b")
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
    """(heard address, heard commune or None) in a caller's words; `asked`: the question they answer."""
    norm = normalize(text)
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
    """A commune given alone in answer to "vous êtes dans quelle ville ?" ("À Bordeaux.", "mon pelier"),
    when it names one (`communes.gazetteer`)."""
    from greffier.calls.communes import gazetteer

    norm = normalize(text).strip(" .!?")
    if not ASKED_WHERE.search(asked) or re.search(r"\d", norm) or len(norm.split()) > 5:
        return None
    heard = _LEAD.sub("", " " + norm).strip(" ,")
    return Match(heard, norm) if heard and gazetteer().find(heard) else None
