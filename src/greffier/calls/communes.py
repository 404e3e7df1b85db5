"""The French communes gazetteer, offline: a name heard on the phone -> the commune and its INSEE code.

The table (`data/communes.tsv.gz`, 37 470 names: every current commune and the delegated or
associated communes people still name) is built by `scripts/build_communes.py` from the npm package
`@etalab/decoupage-administratif` 6.0.0 (MIT; INSEE's Code officiel géographique). `find` takes what
was heard ("Toulouse", "Allion" for "à Lyon", "bordo") and answers the best commune with a
confidence: spelling first, then sound (`phonetic`), the larger commune when names tie.
"""

from __future__ import annotations

import gzip
import math
import threading
from collections import defaultdict
from dataclasses import dataclass
from importlib.resources import files

from rapidfuzz import fuzz, process

from greffier.calls import phonetic

MIN_SCORE = 85.0
"""Below this (0–100) a heard name is not taken for a commune."""


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    departement: str
    postcodes: tuple[str, ...]
    population: int


@dataclass(frozen=True)
class CityMatch:
    commune: Commune
    heard: str
    confidence: float
    """0–1: 1 when the name was heard exactly as written."""


class Gazetteer:
    def __init__(self, communes: list[Commune]) -> None:
        self.communes = communes
        self._by_plain: dict[str, list[Commune]] = defaultdict(list)
        self._by_key: dict[str, list[Commune]] = defaultdict(list)
        self._by_postcode: dict[str, list[Commune]] = defaultdict(list)
        for c in communes:
            self._by_plain[phonetic.plain(c.name)].append(c)
            self._by_key[phonetic.key(c.name)].append(c)
            for code in c.postcodes:
                self._by_postcode[code].append(c)
        self._keys = list(self._by_key)
        self._by_insee: dict[str, Commune] = {}
        for c in communes:  # a delegated commune's name shares its code: the current name has the population
            if c.insee not in self._by_insee or c.population > self._by_insee[c.insee].population:
                self._by_insee[c.insee] = c

    def by_insee(self, insee: str) -> Commune | None:
        return self._by_insee.get(insee)

    def find(self, heard: str, local: frozenset[str] = frozenset()) -> CityMatch | None:
        """The commune a heard name (or a 5-digit postcode) most likely is, or None.

        `local`: INSEE codes of the organisation's area (its address base): a SAMU serves one
        département, so a commune there wins over a namesake or a near-sound elsewhere."""
        text = heard.strip()
        if text.isdigit() and len(text) == 5:
            found = self._by_postcode.get(text, [])
            return CityMatch(_largest(found, local), text, 1.0) if found else None
        exact = self._by_plain.get(phonetic.plain(text))
        if exact:
            return CityMatch(_largest(exact, local), heard, 1.0)
        sound = phonetic.key(text)
        if len(sound) < 2:
            return None
        best: tuple[float, Commune] | None = None
        local_keys = [phonetic.key(c.name) for c in map(self.by_insee, local) if c]
        candidates = process.extract(sound, self._keys, scorer=fuzz.ratio, limit=12)
        candidates += process.extract(sound, local_keys, scorer=fuzz.ratio, limit=4)
        for candidate, score, _ in candidates:
            for commune in self._by_key[candidate]:
                spelled = phonetic.similar(text, commune.name)
                # a larger commune is more often the one meant (about 4 points for a city of 500 000),
                # and one of the organisation's own area far more (8 points)
                size = min(4.0, math.log10(max(commune.population, 1)) - 1.7)
                total = max(score, spelled) + size + (8.0 if commune.insee in local else 0.0)
                if best is None or total > best[0]:
                    best = (total, commune)
        if best is None or best[0] < MIN_SCORE:
            return None
        return CityMatch(best[1], heard, round(min(best[0], 99.0) / 100, 2))


def _largest(communes: list[Commune], local: frozenset[str] = frozenset()) -> Commune:
    return max(communes, key=lambda c: (c.insee in local, c.population))


_LOADING = threading.Lock()
_TABLE: list[Gazetteer] = []


def gazetteer() -> Gazetteer:
    """The packaged table, read once (about 1 s: the phonetic keys of 37 470 names), whichever thread
    asks first; the others wait for it."""
    if not _TABLE:
        with _LOADING:
            if not _TABLE:
                _TABLE.append(_load())
    return _TABLE[0]


def warm() -> None:
    """Read the table in a background thread now, so that a live call does not wait for it later."""
    threading.Thread(target=gazetteer, name="communes", daemon=True).start()


def _load() -> Gazetteer:
    raw = files("greffier.calls").joinpath("data/communes.tsv.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()[1:]
    communes = []
    for line in lines:
        insee, name, dep, postcodes, population = line.split("\t")
        communes.append(
            Commune(insee, name, dep, tuple(p for p in postcodes.split(",") if p), int(population))
        )
    return Gazetteer(communes)
