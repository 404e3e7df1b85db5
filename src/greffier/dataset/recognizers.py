"""Rules for the identifiers that have a shape: phones, e-mails, addresses, birth dates and great ages,
social-security (NIR) and card numbers, licence plates, and names introduced by a title or a phrase.

Every rule reads the turn twice: as said (names, e-mails, plates) and with numbers as digits
(`spoken.normalise`), and returns spans of the text as said. Validation comes from maintained
libraries where one exists: `phonenumbers` for international numbers, `python-stdnum` for Luhn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import luhn

from greffier.dataset.spoken import Normalised
from greffier.text import FILLER_SOUNDS, FILLERS, STREET_TYPES

CATEGORIES = ("NAME", "PHONE", "EMAIL", "ADDRESS", "BIRTH", "NIR", "CARD", "PLATE")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    category: str
    source: str  # which rule or model found it

    def text(self, turn: str) -> str:
        return turn[self.start : self.end]


_EDGE = " \t,.;:!?\"'«»()"


def _span(turn: str, start: int, end: int, category: str, source: str) -> Span | None:
    while start < end and turn[start] in _EDGE:
        start += 1
    while end > start and turn[end - 1] in _EDGE:
        end -= 1
    return Span(start, end, category, source) if end > start else None


def _mapped(norm: Normalised, start: int, end: int, category: str, source: str) -> Span | None:
    a, b = norm.original(start, end)
    return _span(norm.source, a, b, category, source)


# -- numbers: runs of digit groups ------------------------------------------------------------
# digit groups, possibly with hesitations between them ("06 heu 12 34…")
_DIGIT_RUN = re.compile(
    rf"(?<![\w+])(?:\+|00)?\d+(?:(?:[ .\-/]{{1,2}}|,? (?:{'|'.join(FILLER_SOUNDS)}),? )\d+)*(?!\w)", re.I
)
_PHONE_CUES = re.compile(
    r"\b(num[ée]ro|t[ée]l[ée]phone|portable|fixe|joindre|rappel\w*|phone|number|call)\b", re.I
)
_NIR_CUES = re.compile(
    r"\b(s[ée]cu\w*|s[ée]curit[ée] sociale|nir|insee|carte vitale|social security)\b", re.I
)
_CARD_CUES = re.compile(r"\b(carte|cb|visa|mastercard|card)\b", re.I)
_NIR = re.compile(r"[1-478]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])\d{6}(\d{2})?$")


def _numbers(norm: Normalised, turn_lower: str) -> Iterator[Span]:
    for match in _DIGIT_RUN.finditer(norm.text):
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        international = raw.startswith(("+", "00"))
        category = None
        if (international and 10 <= len(digits) <= 15) or (
            len(digits) == 10 and digits[0] == "0" and digits[1] != "0"
        ):
            category = "PHONE"
        elif (
            len(digits) in (13, 15)
            and _NIR.match(digits)
            and (len(digits) == 15 or _NIR_CUES.search(turn_lower))
        ):
            category = "NIR"
        elif 13 <= len(digits) <= 19 and (luhn.is_valid(digits) or _CARD_CUES.search(turn_lower)):
            category = "CARD"
        elif len(digits) == 9 and digits[0] != "0" and _PHONE_CUES.search(turn_lower):
            category = "PHONE"  # a French number said without its leading zero
        if category:
            span = _mapped(norm, match.start(), match.end(), category, "rule:number")
            if span:
                yield span


def _international_phones(norm: Normalised, region: str) -> Iterator[Span]:
    for found in phonenumbers.PhoneNumberMatcher(norm.text, region, leniency=phonenumbers.Leniency.VALID):
        span = _mapped(norm, found.start, found.end, "PHONE", "phonenumbers")
        if span:
            yield span


# -- e-mail, written or spelled out -----------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.U)
_SPOKEN_EMAIL = re.compile(
    r"(?:[\w'-]+\s+(?:(?:point|tiret|underscore|dot|dash)\s+)?){1,3}(?:arobase|arobas|at)\s+[\w-]+"
    r"(?:\s+(?:point|dot)\s+[\w-]+)+",
    re.I,
)
_SPOKEN_EMAIL_START = re.compile(r"\b(?:c'est|à|a|mail|e-mail|email|adresse|is|to|at)\s+$", re.I)


def _emails(turn: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(turn):
        span = _span(turn, match.start(), match.end(), "EMAIL", "rule:email")
        if span:
            yield span
    for match in _SPOKEN_EMAIL.finditer(turn):
        if " at " in match.group().lower() and not re.search(r"\bdot\b", match.group(), re.I):
            continue
        start = match.start()
        # the local part is at most the words after the last cue ("c'est", "à", "mail"…)
        words = list(re.finditer(r"\S+", turn[start : match.end()]))
        for w in words:
            if _SPOKEN_EMAIL_START.search(turn[: start + w.start()]):
                start += w.start()
                break
        span = _span(turn, start, match.end(), "EMAIL", "rule:email")
        if span:
            yield span


# -- postal addresses --------------------------------------------------------------------------
_STREET_TYPES = f"{STREET_TYPES['fr']}|{STREET_TYPES['en']}"
_LINK_WORDS = r"(?:de|du|des|la|le|les|l'|d'|saint|sainte|st|ste|of|the|et)"
_STOP = (
    r"(?:c'est|c|est|et|il|elle|ils|elles|on|je|j'|tu|vous|nous|mais|pour|voilà|merci|s'il|si|donc|là|"
    r"qui|que|qu'|dans|au|aux|en|avec|chez|sur|sous|près|vers|pas|oui|non|ouais|"
    rf"{'|'.join(FILLERS['fr'])}|"
    r"a|ont|sont|était|y|ça|ce|cette|mon|ma|mes|son|sa|ses|votre|vos|notre|un|une|is|in|at|and|"
    r"for|on|to|it|we|if|the)"
)
_NAME_WORD = rf"(?!{_STOP}\b)[\w'’-]+"
_ADDRESS = re.compile(
    rf"(?:(?<![\w])\d{{1,4}}\s*(?:bis|ter|b)?\s*,?\s+)"
    rf"(?:{_STREET_TYPES})\.?\s+(?:(?:{_LINK_WORDS})\s*)*{_NAME_WORD}(?:[\s-]+(?:(?:{_LINK_WORDS})\s*)*{_NAME_WORD}){{0,3}}"
    rf"(?:\s*,?\s*(?:(?:à|a|in)\s+{_NAME_WORD}|\d{{5}}\s+{_NAME_WORD}(?:[\s-]{_NAME_WORD})?|[A-Z]{{1,2}}\d[\dA-Z]?\s+\d[A-Z]{{2}}))?",
    re.I,
)
_BARE_STREET = re.compile(
    rf"\b(?:rue|avenue|boulevard|impasse|all[ée]e|chemin)\s+(?:(?:{_LINK_WORDS})\s*)*"
    rf"{_NAME_WORD}(?:[\s-]+(?:(?:{_LINK_WORDS})\s*)*{_NAME_WORD}){{0,2}}",
    re.I,
)
_EN_ADDRESS = re.compile(
    r"(?<![\w])\d{1,5}\s+(?:[A-Z][\w'-]+\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Square|Boulevard|Blvd|Close|Crescent)\b"
    r"(?:,?\s+[A-Z][\w'-]+)?(?:,?\s+[A-Z]{1,2}\d[\dA-Z]?\s+\d[A-Z]{2})?"
)
_ADDRESS_CUES = re.compile(r"\b(habite|habitons|habitent|adresse|domicile|lives?|address)\b", re.I)
_POSTCODE_CITY = re.compile(r"(?<!\d)\d{5}\s+[A-ZÉÈ][\w'-]+(?:[\s-][A-ZÉÈ][\w'-]+)?")


def _addresses(norm: Normalised) -> Iterator[Span]:
    for pattern in (_ADDRESS, _EN_ADDRESS, _POSTCODE_CITY):
        for match in pattern.finditer(norm.text):
            span = _mapped(norm, match.start(), match.end(), "ADDRESS", "rule:address")
            if span:
                yield span
    if _ADDRESS_CUES.search(norm.text):
        for match in _BARE_STREET.finditer(norm.text):
            span = _mapped(norm, match.start(), match.end(), "ADDRESS", "rule:address")
            if span:
                yield span


# -- birth dates and ages over 89 (HIPAA Safe Harbor) ------------------------------------------
_MONTHS = (
    r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre|"
    r"january|february|march|april|may|june|july|august|september|october|november|december"
)
_DATE = rf"(?:(?:\d{{1,2}}|1er|premier)\s+(?:{_MONTHS})(?:\s+\d{{2,4}})?|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|(?:{_MONTHS})\s+\d{{4}}|\d{{4}})"
_BIRTH = re.compile(
    rf"\b(?:n[ée]e?s?|naissance|anniversaire|born|birth(?:day)?|date of birth)"
    rf"(?:\s+(?:c'est|c|est|le|en|on|in|is|:|au|du))*\s+({_DATE})",
    re.I,
)
_AGE = re.compile(r"(?<![\w])(\d{2,3})\s+ans\b|(?<![\w])(\d{2,3})[ -](?:years?[ -]old|ans)\b", re.I)


def _births(norm: Normalised) -> Iterator[Span]:
    for match in _BIRTH.finditer(norm.text):
        span = _mapped(norm, match.start(1), match.end(1), "BIRTH", "rule:birth")
        if span:
            yield span
    for match in _AGE.finditer(norm.text):
        group = 1 if match.group(1) else 2
        if 90 <= int(match.group(group)) <= 125:
            span = _mapped(norm, match.start(), match.end(), "BIRTH", "rule:age")
            if span:
                yield span


# -- licence plates (SIV AA-123-AA, FNI 123 ABC 45) --------------------------------------------
_L = "[A-HJ-NP-TV-Z]"
_PLATE_STRICT = re.compile(
    rf"(?<![\w-])(?:{_L}{{2}}-\d{{3}}-{_L}{{2}}|{_L}{{2}}\s\d{{3}}\s{_L}{{2}})(?![\w-])"
)
_PLATE_LOOSE = re.compile(rf"(?<![\w-]){_L}[\s-]?{_L}[\s-]?\d{{3}}[\s-]?{_L}[\s-]?{_L}(?![\w-])", re.I)
_PLATE_FNI = re.compile(r"(?<![\w-])\d{1,4}[\s-]?[A-Z]{2,3}[\s-]?(?:\d{2}|2[AB])(?![\w-])")
_PLATE_CUES = re.compile(
    r"\b(plaque|immatricul\w*|voiture|camion|v[ée]hicule|moto|scooter|plate|car)\b", re.I
)


def _plates(norm: Normalised) -> Iterator[Span]:
    found = [m for m in _PLATE_STRICT.finditer(norm.text)]
    found += [
        m for m in _PLATE_LOOSE.finditer(norm.text) if "-" in m.group() or _PLATE_CUES.search(norm.text)
    ]
    if _PLATE_CUES.search(norm.text):
        found += list(_PLATE_FNI.finditer(norm.text))
    for match in found:
        span = _mapped(norm, match.start(), match.end(), "PLATE", "rule:plate")
        if span:
            yield span


# -- names introduced by a title or a phrase ---------------------------------------------------
_TITLES = (
    r"docteur|doctoresse|dr|madame|mme|monsieur|mademoiselle|mlle|professeur|ma[iî]tre|"
    r"infirmi[eè]re|infirmier|mr|mister|mrs|ms|miss|doctor|professor"
)
_INTRO = r"je m'appelle|il s'appelle|elle s'appelle|je me nomme|mon nom c'est|mon nom est|my name is|name's"
_WORD = r"[\wÀ-ÿ][\wÀ-ÿ'’-]*"
_NAME_AFTER_TITLE = re.compile(rf"\b(?:{_TITLES})\s+((?:{_WORD})(?:\s+{_WORD}){{0,2}})", re.I)
_NAME_AFTER_INTRO = re.compile(rf"\b(?:{_INTRO})\s+((?:{_WORD})(?:\s+{_WORD}){{0,2}})", re.I)


def _cued_names(turn: str, is_name_word: Callable[[str], bool]) -> Iterator[Span]:
    """Names after a title ("docteur X", "madame X") or an introduction ("je m'appelle X")."""
    for pattern, source in ((_NAME_AFTER_TITLE, "rule:title"), (_NAME_AFTER_INTRO, "rule:intro")):
        for match in pattern.finditer(turn):
            end = None
            for word in re.finditer(r"\S+", match.group(1)):
                a, b = match.start(1) + word.start(), match.start(1) + word.end()
                if not is_name_word(turn[a:b]):
                    break
                end = b
            span = _span(turn, match.start(1), end, "NAME", source) if end else None
            if span:
                yield span


def find_rules(turn: str, norm: Normalised, language: str, is_name_word: Callable[[str], bool]) -> list[Span]:
    """Every rule-based span in one turn (overlaps allowed; the caller resolves them)."""
    lower = turn.lower()
    region = "FR" if language == "fr" else "GB"
    spans: list[Span] = []
    spans += _numbers(norm, lower)
    spans += _international_phones(norm, region)
    spans += _emails(turn)
    spans += _addresses(norm)
    spans += _births(norm)
    spans += _plates(norm)
    spans += _cued_names(turn, is_name_word)
    return spans
