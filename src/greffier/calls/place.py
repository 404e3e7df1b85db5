"""Where to send the ambulance: the heard address and commune matched to the commune (INSEE code) and
to a street of the organisation's address base, as a proposal with its confidence.

`propose(form, base)` reads the form's `location.address` and `location.city` (what was heard, kept
as heard) and answers a `Place`: the commune (`communes.gazetteer`, offline) and the street
(`streets.AddressBase`, when the organisation configured one), each with what was heard, the
proposed spelling and a confidence. When the commune was not heard apart ("… Jean-Gérès Allion"),
the last words of the address are tried as the commune with the street before them; when no commune
was heard at all, the street's own commune is proposed; when the heard words do not split that way
("J'habite en 8 rues de mètes à Toulouse"), the street and commune are looked for by sound anywhere
in them (`address_scan`). Nothing here changes the form.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from greffier.calls.address_scan import Scanner
from greffier.calls.communes import CityMatch, gazetteer
from greffier.calls.form import CaseForm
from greffier.calls.streets import AddressBase, StreetMatch, load_address_base

CONFIRM_BELOW = 0.9
"""A proposal below this confidence is shown as a question to the regulator ("rue des Lilas ?")."""
_NUMBER = re.compile(r"^\s*(\d{1,4}(?:\s*(?:bis|ter|quater))?)\s*,?\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Proposal:
    heard: str
    value: str
    confidence: float
    code: str | None = None
    """The commune's INSEE code."""

    @property
    def to_confirm(self) -> bool:
        return self.confidence < CONFIRM_BELOW or self.heard.strip().lower() != self.value.lower()


@dataclass(frozen=True)
class Place:
    city: Proposal | None
    street: Proposal | None
    number: str | None
    coordinates: tuple[float, float] | None = None
    """(lon, lat) of the house number in the address base, when it has them."""


def propose(address: str | None, city: str | None, base: AddressBase | None) -> Place:
    """The commune and street that the heard `address` ('12 rédélilare') and `city` most likely are."""
    local = base.communes if base else frozenset()
    heard_city = gazetteer().find(city, local) if city else None
    number, street_words = None, ""
    if address:
        m = _NUMBER.match(address)
        number, street_words = (m.group(1), m.group(2)) if m and m.group(1) else (None, address)
    best: tuple[float, StreetMatch | None, CityMatch | None] = (0.0, None, heard_city)
    words = street_words.split()
    splits = [(street_words, heard_city)]
    if heard_city is None:
        for k in range(max(1, len(words) - 3), len(words)):
            found = gazetteer().find(" ".join(words[k:]), local)
            if found is not None:
                splits.append((" ".join(words[:k]), found))
    for street_text, found_city in splits:
        if base is None or not street_text:
            if found_city is not None and best[1] is None and best[2] is None:
                best = (found_city.confidence, None, found_city)
            continue
        street = base.match(street_text, found_city.commune.insee if found_city else None)
        if street is None:
            continue
        joint = street.confidence * (
            found_city.confidence if found_city and found_city is not heard_city else 1
        )
        if joint > best[0]:
            best = (joint, street, found_city)
    _, street, found_city = best
    if base is not None and address and street is None:
        scanned = _scanner(base).scan(f"{address} {city or ''}")
        street = scanned.street
        found_city = found_city or scanned.city
    city_out = _city(found_city) if found_city else None
    if city_out is None and street is not None:
        commune = gazetteer().by_insee(street.street.insee)
        name = commune.name if commune else street.street.city
        city_out = Proposal("", name, street.confidence, street.street.insee)
    street_out = Proposal(street.heard, street.street.name, street.confidence) if street else None
    coords = street.street.numbers.get(number) if street and number else None
    return Place(city_out, street_out, number, coords)


def of_form(form: CaseForm, base: AddressBase | None) -> Place:
    """`propose` on what the form heard (`location.address`, `location.city`)."""
    address, city = form.value("location.address"), form.value("location.city")
    return propose(str(address) if address else None, str(city) if city else None, base)


def place_dict(place: Place) -> dict[str, Any]:
    """The place as JSON: each proposal with `heard`, `value`, `confidence`, `code`, `to_confirm`."""

    def one(p: Proposal | None) -> dict[str, Any] | None:
        return asdict(p) | {"to_confirm": p.to_confirm} if p else None

    return {"city": one(place.city), "street": one(place.street), "number": place.number}


def _city(match: CityMatch) -> Proposal:
    return Proposal(match.heard, match.commune.name, match.confidence, match.commune.insee)


@cache
def _scanner(base: AddressBase) -> Scanner:
    return Scanner(base)


@cache
def configured_base(path: Path | None) -> AddressBase | None:
    """The organisation's address base (`GREFFIER_ADDRESS_BASE`), read once; None when not configured."""
    return load_address_base(path) if path is not None else None
