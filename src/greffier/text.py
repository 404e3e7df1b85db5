"""Text normalisation for French and English: the steps, the word lists, and one named form per use.

The steps (apostrophes, zero-width spaces, accents, punctuation, truncated words, fillers, numbers as
digits or spelled out) live here once; each use composes them into its own form:

- `match_key`: the form quotes are compared in (grounding of minutes and answers): case-folded, no
  accents, no punctuation, single spaces;
- `call_form`: a call's line as the rules read it: fillers out, numbers as digits (`text2num`);
- `wer_form`: the form word error rates are measured in (bench, tests): lower case, numbers and
  ordinals spelled out (`num2words`), tags, truncated words and hesitations out;
- `spoken_digits`: numbers as digits, the rest untouched (the dataset's identifier rules map matches
  back to the spoken words).

The French word lists the readers of French share are here too: fillers, street types, question words.
"""

from __future__ import annotations

import re
import unicodedata

from num2words import num2words
from text_to_num import alpha2digit

# -- word lists -------------------------------------------------------------------------------------------------

FILLERS = {
    "fr": ("heu", "euh", "hum", "hmm", "bah", "ben"),
    "en": ("uh", "um", "er", "erm"),
}
"""Hesitations, one list per language: not words a transcriber is asked to write, nor a reader to read."""
SPOKEN_FILLERS = ("bah", "ben")
"""French fillers that are words too ('ben' for 'bien'): a voice reads them, and a number is not read
through them ('06 euh 12' is one number)."""
FILLER_SOUNDS = tuple(word for word in FILLERS["fr"] if word not in SPOKEN_FILLERS)
"""The French fillers that are sounds only: heu, euh, hum, hmm."""
MURMURS = ("hm", "mh", "mm", "mmh")
"""Hums in either language. Not dropped from a call's line: 'mm' is also millimetres there."""
INTERJECTIONS = ("ah", "oh")
"""Dropped from WER only: in a call they start an answer ('ah oui'), which the rules read."""
CALL_FILLERS = (*FILLERS["fr"], "pff")
"""What a call's line loses before the rules read it (the callers speak French)."""
WER_HESITATIONS = frozenset((*FILLERS["fr"], *FILLERS["en"], *MURMURS, *INTERJECTIONS))
"""What both sides of a word error rate lose, whatever the language (transcribers write either)."""

STREET_TYPES = {
    "fr": (
        r"rue|avenue|av|boulevard|bd|bld|chemin|impasse|all[ée]e|place|route|quai|cours|square|voie|passage|"
        r"sentier|r[ée]sidence|lotissement|cit[ée]|hameau|faubourg|mont[ée]e|villa|parvis|esplanade|rond-point"
    ),
    "en": r"street|st|road|rd|avenue|lane|drive|way|court|square",
}
"""Regex alternations of the words that name a way in an address ('12 rue de la Paix'); a '.' may follow."""

QUESTION_WORDS = r"qu'est[- ]ce|combien|quand|où|comment|pourquoi|quel|quelle"
"""Regex alternation of the French words a question starts with (in lower case)."""
QUESTION_LOCUTION = r"est[- ]ce qu"
"""Anywhere in a clause, it asks."""

# -- steps ------------------------------------------------------------------------------------------------------

TRUNCATED = re.compile(r"\b[\w']+-(?=\s|$)")
"""A word cut off by its speaker: 'poit- poitrine', 'j- je'."""
_CALL_FILLERS = re.compile(rf"(?i)\b(?:{'|'.join(CALL_FILLERS)})\b[,.]?")
_TAG = re.compile(r"<[^>]*>|\[[^\]]*\]|\([^)]*\)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ORDINAL = {
    "fr": re.compile(r"\b(\d+)(?:e|è|ème|eme|er|re|ère|nd|nde)\b"),
    "en": re.compile(r"\b(\d+)(?:st|nd|rd|th)\b"),
}


def unify_apostrophes(text: str, marks: str = "’") -> str:
    for mark in marks:
        text = text.replace(mark, "'")
    return text


def drop_zero_width(text: str) -> str:
    return text.replace("\u200b", "")


def squash_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def spoken_digits(text: str, language: str, threshold: float = 3) -> str:
    """Spelled-out numbers to digits (`text2num`); numbers below `threshold` stay words."""
    return alpha2digit(text, language, threshold=threshold)


def spell_numbers(text: str, language: str) -> str:
    """Ordinals and numbers in digits spelled out ('5e' -> 'cinquième', '12,5' -> 'douze virgule cinq')."""
    if language in _ORDINAL:
        text = _ORDINAL[language].sub(
            lambda m: f" {num2words(int(m.group(1)), lang=language, to='ordinal')} ", text
        )
    return _NUMBER.sub(lambda m: _spell(m, language), text)


def _spell(match: re.Match[str], language: str) -> str:
    token = match.group(0).replace(",", ".")
    try:
        return " " + num2words(float(token) if "." in token else int(token), lang=language) + " "
    except (NotImplementedError, OverflowError, ValueError):
        return " " + token + " "


# -- forms ------------------------------------------------------------------------------------------------------


def match_key(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: the form quotes are compared in."""
    text = strip_accents(text.casefold())
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def call_form(text: str, threshold: float = 0) -> str:
    """A call's line without fillers, single-spaced, numbers from `threshold` as digits (French)."""
    text = drop_zero_width(unify_apostrophes(text))
    text = squash_spaces(_CALL_FILLERS.sub(" ", text))
    # text2num reads "au 3 e" badly and leaves "rez-de-chaussée" alone; the hyphenated ordinals it handles
    text = re.sub(r"(?i)\brez[- ]de[- ]chauss[ée]e\b", "0ème étage", text)
    return spoken_digits(text, "fr", threshold)


def wer_form(text: str, language: str = "fr") -> str:
    """Lower case; tags, truncated words, hyphens, punctuation and hesitations out; numbers spelled out;
    apostrophes unified and split off (d'avoir -> d' avoir)."""
    text = unicodedata.normalize("NFC", text).lower()
    text = _TAG.sub(" ", text)
    text = unify_apostrophes(text, "’`")
    text = spell_numbers(text, language)
    text = text.replace("'", "' ")
    text = TRUNCATED.sub(" ", text)
    text = re.sub(r"[-‐–—]", " ", text)
    return " ".join(w for w in re.sub(r"[^\w' ]+", " ", text).split() if w not in WER_HESITATIONS)
