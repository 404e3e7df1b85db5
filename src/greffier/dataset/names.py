"""What looks like a person's name in a transcript turn.

Three word lists decide, all from maintained packages:
- the language's word forms (the lemmatizer tables inside the spaCy model: ~200 000 French forms):
  a lower-case word that is an ordinary word ("brûlé", "restez") is not a name;
- first and last names from Faker's locales (a gazetteer): "éric", "BERTRAND", "Guillaume";
- spaCy's and our own stop words plus the discourse words of calls ("heu", "d'accord", "madame").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import import_module
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS as EN_STOP
from spacy.lang.fr.stop_words import STOP_WORDS as FR_STOP

from greffier.dataset.recognizers import Span
from greffier.text import FILLERS

_DISCOURSE = {
    "oui",
    "non",
    "ouais",
    "ok",
    "okay",
    *FILLERS["fr"],
    "bon",
    "alors",
    "allo",
    "allô",
    "bonjour",
    "bonsoir",
    "merci",
    "pardon",
    "voilà",
    "écoutez",
    "attendez",
    "d'accord",
    "s'il",
    "quoi",
    "hein",
    "pff",
    "nan",
    "excusez",
    "désolé",
    "désolée",
    "madame",
    "monsieur",
    "mademoiselle",
    "docteur",
    "professeur",
    "samu",
    "smur",
    "régulateur",
    "urgentiste",
    "médecin",
    "au",
    "yes",
    "yeah",
    "well",
    "so",
    "sorry",
    "please",
    "thanks",
    "hello",
    "hi",
    "mm",
    *FILLERS["en"],
    "ehm",
    "eh",
}
_CALENDAR = {
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
# capitalised in English without being names (some are surnames in the gazetteer)
_CAPITALISED_WORDS = {
    "english",
    "french",
    "german",
    "czech",
    "italian",
    "spanish",
    "chinese",
    "dutch",
    "polish",
    "russian",
    "european",
    "american",
    "british",
    "austrian",
    "swiss",
    "god",
    "christmas",
    "easter",
    "internet",
}
# an unknown lower-case word with a verb ending is more likely a conjugated verb than a name
_VERB_ENDING = re.compile(
    r"(?:ez|iez|ions|ons|er|ir|ait|aient|erai|eras|era|eront|ant|ante|ente|é|ée|és|ées)$"
)
_GAZETTEER_LOCALES = (
    "fr_FR",
    "en_US",
    "en_GB",
    "de_DE",
    "es_ES",
    "it_IT",
    "nl_NL",
    "pt_PT",
    "pl_PL",
    "cs_CZ",
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_ELISION = re.compile(r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)['’]", re.I)
_PARTICLES = {"le", "la", "de", "du", "des", "van", "von", "der", "da", "di", "el", "al", "ben", "bin", "mac"}


def core(word: str) -> str:
    """The word without an elided article or pronoun: "d'AVICENNE" -> "AVICENNE", "j'ai" -> "ai"."""
    return _ELISION.sub("", word.strip(".,;:!?\"'«»()"))


def fold(text: str) -> str:
    """Lower case without accents: the key that makes 'Éric' and 'ERIC' one person."""
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=2)
def gazetteer(first_only: bool = False) -> frozenset[str]:
    names: set[str] = set()
    attributes = ("first_names", "first_names_male", "first_names_female") + (
        () if first_only else ("last_names",)
    )
    for locale in _GAZETTEER_LOCALES:
        provider = import_module(f"faker.providers.person.{locale}").Provider
        for attribute in attributes:
            names.update(fold(n) for n in getattr(provider, attribute, ()) if " " not in n)
    return frozenset(n for n in names if len(n) >= 3) - _CALENDAR - _CAPITALISED_WORDS


@lru_cache(maxsize=4)
def lexicon_of(nlp: Any) -> frozenset[str]:
    """Every word form the model's lemmatizer knows (empty when it has none)."""
    components = dict(nlp.components) if nlp is not None else {}
    if "lemmatizer" not in components:
        return frozenset()
    lookups = components["lemmatizer"].lookups
    words: set[str] = set()
    if lookups.has_table("lemma_lookup"):
        words.update(lookups.get_table("lemma_lookup").keys())
    if lookups.has_table("lemma_index"):
        for forms in lookups.get_table("lemma_index").values():
            words.update(forms)
    if lookups.has_table("lemma_exc"):
        for table in lookups.get_table("lemma_exc").values():
            words.update(table.keys())
    return frozenset(fold(w) for w in words if isinstance(w, str))


@lru_cache(maxsize=4)
def stop_words(language: str) -> frozenset[str]:
    stop = FR_STOP if language == "fr" else FR_STOP | EN_STOP
    return frozenset(fold(w) for w in stop | _DISCOURSE | _CALENDAR)


class NameFinder:
    """`lexicon`: the language's word forms (see `lexicon_of`); empty: only capitalised words can be names."""

    def __init__(self, language: str, lexicon: frozenset[str] = frozenset()) -> None:
        self.language = language
        self.stop = stop_words(language)
        self.has_lexicon = bool(lexicon)
        self.lexicon = lexicon
        self.names = gazetteer()

    # -- one word ---------------------------------------------------------------------------------
    def ordinary(self, word: str) -> bool:
        """A word of the language (or a stop word), not only a name."""
        key = fold(core(word))
        return key in self.stop or key in self.lexicon

    def known(self, word: str) -> bool:
        """In the gazetteer, or a hyphenated name starting with one ("Pierre-Yves")."""
        key = fold(core(word))
        if key.endswith("-"):  # a word cut short ("éva-")
            return False
        return key in self.names or ("-" in key and key.split("-")[0] in self.names)

    def unknown(self, word: str) -> bool:
        """A lower-case word that is neither a word of the language nor shaped like a verb form."""
        word = core(word)
        return self.has_lexicon and not self.ordinary(word) and not _VERB_ENDING.search(fold(word))

    def could_be_name(self, word: str) -> bool:
        """After a title ("docteur X"): a capitalised, gazetteer or unknown word; never a stop word or number."""
        word = core(word)
        if len(word) < 2 or word.endswith("-") or any(c.isdigit() for c in word) or fold(word) in self.stop:
            return False
        return word[0].isupper() or self.known(word) or self.unknown(word)

    # -- a turn -----------------------------------------------------------------------------------
    def known_names(self, turn: str) -> Iterator[Span]:
        """Gazetteer names, extended over the capitalised words that follow ("MICHEL CYMES")."""
        words = list(_WORD.finditer(turn))
        i = 0
        while i < len(words):
            word = words[i].group()
            if self.known(word) and self._accept(turn, words[i], word):
                j = i
                while j + 1 < len(words) and self._continues(turn, words[j], words[j + 1], word):
                    j += 1
                yield Span(words[i].start(), words[j].end(), "NAME", "gazetteer")
                i = j + 1
            else:
                i += 1

    def plausible(self, text: str) -> bool:
        """A NER 'person' that is more than ordinary lower-case words or short acronyms."""
        words = [w for w in _WORD.findall(text) if fold(w) not in self.stop]
        if not words or all(w.isupper() and len(w) <= 4 for w in words):
            return False
        return any(w[0].isupper() for w in words) or any(self.unknown(w) for w in words)

    def keys(self, name: str) -> set[str]:
        words = (fold(core(w)) for w in _WORD.findall(name))
        return {w for w in words if len(w) >= 3 and w not in self.stop}

    def occurrences(self, turn: str, keys: Iterable[str]) -> Iterator[Span]:
        """Every other mention of already-found names; ordinary words only when capitalised."""
        keys = set(keys)
        for match in _WORD.finditer(turn):
            word = core(match.group())
            key = fold(word)
            if key in keys and (word[0].isupper() or self.unknown(word)):
                yield Span(match.end() - len(word), match.end(), "NAME", "propagation")

    def _accept(self, turn: str, match: re.Match[str], word: str) -> bool:
        word = core(word)
        if fold(word) in self.stop:
            return False
        if not word[0].isupper():
            return self.unknown(word)  # without a lexicon (English): capitalised only
        if len(word) <= 2:
            return False
        before = turn[: match.start()].rstrip()
        if word.isupper() or (before and before[-1] not in ".?!"):
            return True
        # first word of a sentence: an ordinary word ("Petit", "Good") unless the lexicon says otherwise
        if self.has_lexicon:
            return not self.ordinary(word)
        return fold(word) in gazetteer(first_only=True)

    def _continues(self, turn: str, previous: re.Match[str], nxt: re.Match[str], first: str) -> bool:
        gap = turn[previous.end() : nxt.start()]
        word = nxt.group()
        if gap.strip(" -") or len(word) < 2:
            return False
        if fold(word) in _PARTICLES:  # "Le Gall", "van Dijk": only before a capitalised word
            rest = turn[nxt.end() :].lstrip()
            return rest[:1].isupper() and first[0].isupper()
        if fold(word) in self.stop:
            return False
        same_style = (word.isupper() and first.isupper()) or (word[0].isupper() and first[0].isupper())
        return same_style or self.known(word) or (not word[0].isupper() and self.unknown(word))
