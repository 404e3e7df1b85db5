"""The place names a live call's recogniser is biased towards once the regulator has asked where.

Whisper base writes an address it has never seen as the sounds it heard ("J'habite au 8 rue de Metz
à Toulouse" → "au huir et de mettre sa toulouse"). Given the names it may hear, as faster-whisper's
`hotwords` (text put before the prompt), it writes them. The names are the organisation's: the
communes of its address base (largest first), then those of its départements (largest first), up to
`BUDGET` characters, since the prompt shares Whisper's 448 positions with the text decoded. They are
given only to the passes that follow a question about where (`heard_place.ASKED_WHERE` in the last
words committed before the window), so that the rest of the call is not pulled towards place names.
"""

from __future__ import annotations

from collections.abc import Callable

from greffier.calls.communes import Commune, gazetteer
from greffier.calls.heard_place import ASKED_WHERE
from greffier.calls.streets import AddressBase

BUDGET = 300
"""Characters of place names at most (about 90 Whisper tokens)."""
ASKED_WITHIN = 120
"""The question about where must be in this many last characters of the prompt."""


def place_names(base: AddressBase, budget: int = BUDGET) -> str:
    """The base's communes, then its départements' other communes, by population, comma-separated."""
    table = gazetteer()
    own = [c for c in map(table.by_insee, base.communes) if c is not None]
    departements = {c.departement for c in own}
    around = [c for c in table.communes if c.departement in departements and c.insee not in base.communes]
    names: list[str] = []
    used = 0
    for commune in [*_largest_first(own), *_largest_first(around)]:
        if commune.name in names:
            continue
        if used + len(commune.name) + 2 > budget:
            break
        names.append(commune.name)
        used += len(commune.name) + 2
    return ", ".join(names)


def where_hotwords(base: AddressBase | None) -> Callable[[str | None], str | None] | None:
    """`StreamingOptions.hotwords` for a live call: the place names after a question about where."""
    if base is None:
        return None
    names = place_names(base)

    def hotwords(prompt: str | None) -> str | None:
        return names if prompt and ASKED_WHERE.search(prompt[-ASKED_WITHIN:]) else None

    return hotwords


def _largest_first(communes: list[Commune]) -> list[Commune]:
    return sorted(communes, key=lambda c: (-c.population, c.name))
