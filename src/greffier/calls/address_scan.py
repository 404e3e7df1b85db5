"""The street and commune found by sound anywhere in a heard address, when its words do not split into
"number, street, à commune".

A live recogniser writes an address it has not heard before as the sounds it heard: "J'habite en huit
rues de mètes à Toulouse" (8 rue de Metz), "S'accure et mille Zola, Villeurbanne" (5 cours Émile
Zola), "Abordeaux" (à Bordeaux), "Quatre russes en germin amurait" (4 rue Saint-Germier à Muret).
Here every run of one to a few words is compared, by spelling and by sound (`phonetic.similar`),
with the communes of the organisation's address base and with its streets (the whole name, and the
name without its type: "Zola", "Saint-Germier"); the best commune, then the best street of that
commune (of the whole base when no commune was found), above their thresholds. A glued "à"/"au"
("Abordeaux", "amurait") is tried off. Each result keeps the words it was found in (`heard`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from greffier.calls import phonetic
from greffier.calls.communes import CityMatch, Commune, gazetteer
from greffier.calls.streets import AddressBase, Street, StreetMatch
from greffier.text import STREET_TYPES

CITY_MIN = 80.0
"""A run of words is taken for a commune of the base from this `phonetic.similar` score (0–100)."""
STREET_MIN = 78.0
"""… and for a street of the base from this score."""
MAX_WORDS = 5
_TYPE = re.compile(rf"^(?:{STREET_TYPES['fr']})\s+", re.IGNORECASE)
_GLUED = re.compile(r"^(?:au|a)(?=[a-z]{4})")
_SHORTLIST = 6


@dataclass(frozen=True)
class Found:
    city: CityMatch | None
    street: StreetMatch | None


class Scanner:
    """The base's communes and streets with their phonetic keys, made once per base."""

    def __init__(self, base: AddressBase) -> None:
        self.base = base

    @cached_property
    def communes(self) -> list[Commune]:
        return [c for c in map(gazetteer().by_insee, sorted(self.base.communes)) if c is not None]

    @cached_property
    def _commune_keys(self) -> list[str]:
        return [phonetic.key(c.name) for c in self.communes]

    @cached_property
    def _street_names(self) -> list[tuple[str, Street]]:
        """Each street under its whole name and, when it has a type ('Rue …'), the name without it."""
        names = []
        for street in self.base.streets:
            names.append((street.name, street))
            core = _TYPE.sub("", street.name)
            if core != street.name:
                names.append((core, street))
        return names

    @cached_property
    def _street_keys(self) -> list[str]:
        return [phonetic.key(name) for name, _ in self._street_names]

    def scan(self, heard: str) -> Found:
        """The commune and street that runs of the `heard` words most likely name."""
        words = phonetic.plain(heard).split()
        runs = [
            (i, i + n, " ".join(words[i : i + n]))
            for n in range(1, MAX_WORDS + 1)
            for i in range(len(words) - n + 1)
        ]
        city, city_span = self._city(runs)
        pool = [r for r in runs if city_span is None or r[1] <= city_span[0] or r[0] >= city_span[1]]
        street = self._street(pool, city.commune.insee if city else None)
        return Found(city, street)

    def _city(self, runs: list[tuple[int, int, str]]) -> tuple[CityMatch | None, tuple[int, int] | None]:
        best: tuple[float, int, Commune, str, tuple[int, int]] | None = None
        for start, end, text in runs:
            if end - start > 3:
                continue
            for variant in {text, _GLUED.sub("", text)}:
                for commune in self._shortlist(variant, self._commune_keys, self.communes):
                    score = phonetic.similar(variant, commune.name)
                    if score >= CITY_MIN and (best is None or (score, start) > best[:2]):
                        best = (score, start, commune, text, (start, end))
        if best is None:
            return None, None
        score, _, commune, text, span = best
        return CityMatch(commune, text, round(score / 100, 2)), span

    def _street(self, runs: list[tuple[int, int, str]], insee: str | None) -> StreetMatch | None:
        best: tuple[float, Street, str] | None = None
        names = self._street_names
        for _, _, text in runs:
            key = phonetic.key(text)
            if len(key) < 3:
                continue
            for _, _, i in process.extract(key, self._street_keys, scorer=fuzz.ratio, limit=_SHORTLIST * 4):
                name, street = names[i]
                if insee is not None and street.insee != insee:
                    continue
                score = phonetic.similar(text, name)
                if score >= STREET_MIN and (best is None or score > best[0]):
                    best = (score, street, text)
        if best is None:
            return None
        score, street, text = best
        return StreetMatch(street, text, round(score / 100, 2))

    @staticmethod
    def _shortlist(text: str, keys: list[str], items: list[Commune]) -> list[Commune]:
        key = phonetic.key(text)
        if len(key) < 3:
            return []
        return [items[i] for _, _, i in process.extract(key, keys, scorer=fuzz.ratio, limit=_SHORTLIST)]
