"""French spoken numbers as a transcriber writes them: phone numbers, ages, floors, door codes, addresses.

Words become digits with `text2num` (`alpha2digit`, measured on the cases in tests/test_calls_numbers.py:
"zéro six douze trente-quatre…" -> "06 12 34…", "quatre-vingt-deux ans" -> "82 ans", "troisième" ->
"3ème", "douze bis" -> "12 bis"); the patterns here read the normalised text. Each finder returns
the value and the normalised snippet it was read from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from greffier.text import STREET_TYPES, call_form


@dataclass(frozen=True)
class Match:
    value: str | int
    text: str
    """The normalised snippet the value was read from."""


@lru_cache(maxsize=4096)
def normalize(text: str, threshold: float = 0) -> str:
    """Spelled-out numbers to digits ('zéro six' -> '06', 'premier' -> '1er'); the rest unchanged.

    Numbers below `threshold` stay words: the rules read "un peu", "une douleur" with threshold 3.
    """
    return call_form(text, threshold)


# -- phone numbers ----------------------------------------------------------------------------------------------

_PHONE_RUN = re.compile(r"(?:\+|plus\s*)?\d[\d\s.\-/,]*\d")
_SERVICE_NUMBERS = {"15", "17", "18", "112", "114", "115", "119", "3624"}


def phone_numbers(text: str) -> list[Match]:
    """French phone numbers (10 digits from 0, or +33 / 0033 and 9 digits), given in words or digits.

    Returns the national form '0612345678'. Runs of digits that are not phone-shaped (counting
    "un deux trois…", '15', 'SAMU 93') are ignored. `phonenumbers` reads each run of digits; a
    number counts only when it read every digit as the subscriber's (no '+33 0…', no dropped digit).
    """
    found: list[Match] = []
    for m in _PHONE_RUN.finditer(normalize(text)):
        digits = re.sub(r"\D", "", m.group())
        if m.group().lstrip().startswith(("+", "plus")) and digits.startswith("33"):
            prefix, written = "33", "+" + digits
        elif digits.startswith("0033"):
            prefix, written = "0033", "+" + digits[2:]
        elif digits.startswith("0"):
            prefix, written = "0", digits
        else:
            continue
        try:
            number = phonenumbers.parse(written, "FR")
        except phonenumbers.NumberParseException:
            continue
        national = phonenumbers.national_significant_number(number)
        if (
            number.country_code == 33
            and prefix + national == digits
            and not national.startswith("0")
            and phonenumbers.is_possible_number(number)
        ):
            found.append(Match("0" + national, m.group().strip()))
    return found


def format_phone(digits: str) -> str:
    """In pairs, as French numbers are said ('06 12 34 56 78', '08 00 12 34 56'); phonenumbers' national
    format would write '0 800 12 34 56'."""
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


# -- ages and weights ----------------------------------------------------------------------------------------------

_UNIT = {"an": "Y", "ans": "Y", "mois": "M", "semaine": "W", "semaines": "W", "jour": "D", "jours": "D"}
_AGE_CONTEXT = re.compile(
    r"\b(?:de|a|âgée?s?\s+de|j'ai|il\s+a|elle\s+a|vous\s+avez|qui\s+a|bébé\s+de|enfant\s+de)"
    r"\s+(?:bien\s+|déjà\s+|juste\s+|seulement\s+|à\s+peine\s+)?(\d{1,3})\s*(ans?|mois|semaines?|jours?)\b",
    re.IGNORECASE,
)
_NOT_AN_AGE = re.compile(
    r"\b(?:depuis|pendant|il\s+y\s+a|y\s+a|ça\s+fait|dans|en|pour|tous\s+les|toutes\s+les|plus\s+de|moins\s+de|"
    r"après|avant|à|au\s+bout\s+de|d'ici)\s+$",
    re.IGNORECASE,
)


def ages(text: str) -> list[Match]:
    """Ages as ISO 8601 durations ('P82Y', 'P9M'): 'votre fils de huit ans', 'il a 82 ans', 'j'ai soixante ans'.

    Durations ('depuis quinze ans', 'il y a un an', 'pendant deux mois') and years ('en 1999') are not ages.
    """
    norm = normalize(text)
    found = []
    for m in _AGE_CONTEXT.finditer(norm):
        before = norm[: m.start(1)]
        if _NOT_AN_AGE.search(before[-20:]):
            continue
        number, unit = int(m.group(1)), _UNIT[m.group(2).lower()]
        if (unit == "Y" and number > 120) or (unit == "M" and number > 36) or number == 0:
            continue
        found.append(Match(f"P{number}{unit}", m.group().strip(" ,")))
    return found


_WEIGHT = re.compile(r"\b(\d{1,3})(?:[,.]\d)?\s*(?:kilos?|kg|kilogrammes?)\b", re.IGNORECASE)


def weights(text: str) -> list[Match]:
    """Body weights in kg: 'il pèse soixante-dix kilos' -> 70."""
    return [
        Match(int(m.group(1)), m.group())
        for m in _WEIGHT.finditer(normalize(text))
        if 1 <= int(m.group(1)) <= 300
    ]


_PAIN_SCORE = re.compile(r"\b(\d{1,2})\s*(?:sur|/)\s*10\b", re.IGNORECASE)


def pain_scores(text: str) -> list[Match]:
    """Pain intensity on a 0–10 scale: 'huit sur dix' -> 8."""
    return [
        Match(int(m.group(1)), m.group())
        for m in _PAIN_SCORE.finditer(normalize(text))
        if int(m.group(1)) <= 10
    ]


# -- location ----------------------------------------------------------------------------------------------------

_FLOOR = re.compile(
    r"\b(?:au|du|le|sur\s+le)?\s*(\d{1,2})\s*(?:e|è|ème|eme|ieme|ième|er|ère|re)\b\s*(?:étage)?|"
    r"\bétage\s*(?:numéro\s*)?(\d{1,2})\b",
    re.IGNORECASE,
)


def floors(text: str) -> list[Match]:
    """Floors: 'au troisième étage', 'au 3e', 'au premier', 'rez-de-chaussée' (0).

    An ordinal without the word 'étage' counts only after 'au' ('au 3e'); '1er' alone (a date) does not.
    """
    norm = normalize(text)
    found = []
    for m in _FLOOR.finditer(norm):
        snippet = m.group().strip()
        number = m.group(1) or m.group(2)
        has_word = "étage" in snippet.lower()
        if not has_word and not re.match(r"(?i)au\b", snippet):
            continue
        found.append(Match(int(number), snippet))
    return found


_DOOR_CODE = re.compile(
    r"\b(?:digicode|code(?:\s+(?:de\s+la\s+porte|d'entrée|d'accès|porte|de\s+l'immeuble|du\s+portail))?)"
    r"\s*(?:c'est|est|:|,)?\s*(?:le\s+)?((?:[0-9]+|[A-Da-d]\b|étoile|dièse|\s)+)",
    re.IGNORECASE,
)


def door_codes(text: str) -> list[Match]:
    """Door codes: 'le code c'est quatre cinq B six' -> '45B6', 'digicode A 12 34' -> 'A1234'."""
    found = []
    for m in _DOOR_CODE.finditer(normalize(text)):
        raw = m.group(1).replace("étoile", "*").replace("dièse", "#")
        code = re.sub(r"\s+", "", raw).upper()
        if 3 <= len(code) <= 8 and any(c.isdigit() for c in code):
            found.append(Match(code, m.group().strip()))
    return found


_ADDRESS = re.compile(
    rf"\b(\d{{1,4}})\s*(bis|ter|quater|[a-d](?=\s))?\s*,?\s*((?:{STREET_TYPES['fr']})\.?)\s+((?:(?:de\s+la|de\s+l'|du|des|de|d'|la|le|les|l')\s*)?"
    r"[A-Za-zÀ-ÿ'\-]+(?:\s+(?!à\b|au\b|et\b|c'est\b|dans\b|sur\b|au\b|en\b)[A-ZÀ-Ý][A-Za-zÀ-ÿ'\-]*){0,4})",
    re.IGNORECASE,
)
_CITY = re.compile(
    r"\b(?:à|a|sur|ville\s+de|commune\s+de)\s+((?:[A-ZÀ-Ý][A-Za-zÀ-ÿ'\-]+)(?:[\s\-](?:sur|sous|en|le|la|les|de|du|[A-ZÀ-Ý][A-Za-zÀ-ÿ'\-]+))*)"
)
_POSTCODE = re.compile(r"\b(\d{5})\b")


def addresses(text: str) -> list[Match]:
    """Street addresses: 'douze bis rue de la Paix' -> '12 bis rue de la Paix'."""
    found = []
    for m in _ADDRESS.finditer(normalize(text)):
        number, suffix, way, name = m.group(1), m.group(2), m.group(3), m.group(4).strip()
        parts = [number] + ([suffix.lower()] if suffix else []) + [way.lower(), name]
        found.append(Match(" ".join(parts), m.group().strip()))
    return found


def cities(text: str) -> list[Match]:
    """A commune named after an address or 'à': 'au 12 rue de la Paix à Saint-Denis' -> 'Saint-Denis'."""
    norm = normalize(text)
    found = [Match(m.group(1), m.group()) for m in _CITY.finditer(norm)]
    found += [Match(m.group(1), m.group()) for m in _POSTCODE.finditer(norm)]
    return found
