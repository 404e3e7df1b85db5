"""The organisation's address base: the streets of its area, to match a street name heard on the phone.

A BAN extract (Base Adresse Nationale, `adresses-DD.csv` of adresse.data.gouv.fr: `;`-separated, with
`nom_voie`, `code_insee`, `nom_commune`, and optionally `numero`, `rep`, `lon`, `lat`), configured as
`GREFFIER_ADDRESS_BASE`; read once into memory (a département: ~10 000 streets). `match` proposes
the street that a heard name most likely is (spelling and sound, `phonetic.similar`), with its
confidence: a proposal for the regulator, never a replacement of what was heard.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from greffier.calls import phonetic
from greffier.errors import GreffierError

MIN_SCORE = 70.0
"""Below this (0–100) no street is proposed."""
REQUIRED = ("nom_voie", "code_insee", "nom_commune")


@dataclass(frozen=True)
class Street:
    name: str
    insee: str
    city: str
    numbers: dict[str, tuple[float, float] | None]
    """House number ('12', '43 bis') -> (lon, lat) when the base has them."""


@dataclass(frozen=True)
class StreetMatch:
    street: Street
    heard: str
    confidence: float


class AddressBase:
    def __init__(self, streets: list[Street]) -> None:
        self.streets = streets
        self._by_insee: dict[str, list[Street]] = defaultdict(list)
        for s in streets:
            self._by_insee[s.insee].append(s)
        self._keys = [phonetic.key(s.name) for s in streets]

    @property
    def communes(self) -> frozenset[str]:
        return frozenset(self._by_insee)

    def match(self, heard: str, insee: str | None = None) -> StreetMatch | None:
        """The street of the base (of commune `insee`, when known) that `heard` most likely names."""
        pool = self._by_insee.get(insee, []) if insee else self.streets
        if not pool or not phonetic.plain(heard):
            return None
        keys = [phonetic.key(s.name) for s in pool] if insee else self._keys
        best: tuple[float, Street] | None = None
        for _, _, i in process.extract(phonetic.key(heard), keys, scorer=fuzz.ratio, limit=10):
            score = phonetic.similar(heard, pool[i].name)
            if best is None or score > best[0]:
                best = (score, pool[i])
        if best is None or best[0] < MIN_SCORE:
            return None
        return StreetMatch(best[1], heard, round(best[0] / 100, 2))


def load_address_base(path: Path) -> AddressBase:
    """Read a BAN CSV extract; a clear error names what is wrong with it."""
    fix = "give a BAN CSV extract (adresses-DD.csv: ';'-separated, with nom_voie, code_insee, nom_commune)"
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f, delimiter=";")
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise GreffierError(f"{path}: no column {', '.join(missing)}", fix)
            numbers: dict[tuple[str, str, str], dict[str, tuple[float, float] | None]] = defaultdict(dict)
            for row in reader:
                where = (row["nom_voie"].strip(), row["code_insee"].strip(), row["nom_commune"].strip())
                number = " ".join(p for p in (row.get("numero", ""), row.get("rep", "")) if p).strip()
                if number:
                    lon, lat = row.get("lon") or "", row.get("lat") or ""
                    numbers[where][number] = (float(lon), float(lat)) if lon and lat else None
                else:
                    numbers.setdefault(where, {})
    except OSError as exc:
        raise GreffierError(f"{path}: cannot read the address base ({exc.strerror})", fix) from exc
    except ValueError as exc:
        raise GreffierError(f"{path}: not a BAN CSV ({exc})", fix) from exc
    return AddressBase([Street(n, i, c, nums) for (n, i, c), nums in numbers.items()])
