"""Where to send the ambulance: the commune and street proposed on the synthetic address calls.

    python -m bench calls_where

The calls (tests/data/calls_where/*.json, Simsamu-shaped dialogues with a `gold` commune INSEE code,
street and number) give the address as a live recogniser writes it, spellings written by hand after
the two of issue 23 ("12 rédélilare à Toulouse", "43 bis, à venue Jean-Gérès Allion"): heard-as-one-word
streets, merged prepositions, split communes, near-homophones. Each is read by the rules
(`extract_transcript`) and the form's heard address and commune go to `place.propose` with the
test address base (tests/data/addresses). Scored: the commune on the calls that name one (INSEE code
equal), the street on the calls that give one (name equal), beside the heard values taken as they are
(the form before this work: no INSEE code, the heard spelling).

Measured: 24/24 communes, 24/24 streets (8/24 as heard). From audio (`bench.calls_audio --where`):
1/24 communes and 1/24 streets in the live form, the recogniser rarely writing the address at all
(docs/benchmarks.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from greffier.calls.extract import extract_transcript
from greffier.calls.form import CaseForm
from greffier.calls.place import of_form
from greffier.calls.simsamu import load_simsamu
from greffier.calls.streets import AddressBase, load_address_base

ROOT = Path(__file__).resolve().parents[1]
WHERE_DIR = ROOT / "tests" / "data" / "calls_where"
ADDRESS_BASE = ROOT / "tests" / "data" / "addresses" / "ban-extract-31-69.csv"


@dataclass
class WhereScore:
    cities: int = 0
    city_right: int = 0
    streets: int = 0
    street_right: int = 0
    heard_street_right: int = 0
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0


def where_calls() -> list[Path]:
    return sorted(WHERE_DIR.glob("where_*.json"))


def gold_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["gold"]


def add_where(score: WhereScore, name: str, gold: dict, form: CaseForm, base: AddressBase) -> None:
    started = time.perf_counter()
    place = of_form(form, base)
    score.seconds += time.perf_counter() - started
    if gold["city"]:
        score.cities += 1
        got = place.city.code if place.city else None
        score.city_right += got == gold["city"]
        if got != gold["city"]:
            score.misses.append(f"{name}: commune {got} (gold {gold['city']})")
    if gold["street"]:
        score.streets += 1
        got_street = place.street.value if place.street else None
        score.street_right += got_street == gold["street"]
        heard = str(form.value("location.address") or "")
        score.heard_street_right += heard.lower().endswith(gold["street"].lower())
        if got_street != gold["street"]:
            score.misses.append(f"{name}: street {got_street!r} (gold {gold['street']!r}, heard {heard!r})")


def score_text() -> WhereScore:
    base = load_address_base(ADDRESS_BASE)
    score = WhereScore()
    for path in where_calls():
        add_where(score, path.stem, gold_of(path), extract_transcript(load_simsamu(path)), base)
    return score


def print_where(name: str, s: WhereScore) -> None:
    print(
        f"{name}: commune right {s.city_right}/{s.cities} ({100 * s.city_right / max(s.cities, 1):.0f} %),"
        f" street right {s.street_right}/{s.streets} ({100 * s.street_right / max(s.streets, 1):.0f} %;"
        f" as heard {s.heard_street_right}/{s.streets}), matching {1000 * s.seconds / max(s.cities, 1):.1f} ms/call"
    )
    for miss in s.misses:
        print(f"      {miss}")


def main() -> None:
    print_where("synthetic address calls, text", score_text())


if __name__ == "__main__":
    main()
