"""The pseudonymiser on our own sentences and on the hand-annotated Simsamu/ELITR transcripts."""

from __future__ import annotations

import pytest

from bench.dataset import score
from bench.pii_corpus import gold_files
from greffier.dataset.pseudonymise import Detector, PseudonymiseOptions, pseudonymise
from greffier.transcript import Segment, Speaker, Transcript


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector("fr")


@pytest.fixture(scope="module")
def gold():
    return gold_files()


def _found(detector: Detector, text: str) -> list[tuple[str, str]]:
    return [(s.category, s.text(text)) for s in detector.detect([text])[0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rappelez moi au zéro six douze trente quatre cinquante six soixante dix huit merci",
            ("PHONE", "zéro six douze trente quatre cinquante six soixante dix huit"),
        ),
        ("le portable c'est 06 98 76 54 32", ("PHONE", "06 98 76 54 32")),
        (
            "c'est le zéro sept heu quarante et un vingt-deux heu dix onze",
            ("PHONE", "zéro sept heu quarante et un vingt-deux heu dix onze"),
        ),
        (
            "écrivez à paul point girard arobase free point fr",
            ("EMAIL", "paul point girard arobase free point fr"),
        ),
        ("on habite au vingt-deux rue des acacias", ("ADDRESS", "vingt-deux rue des acacias")),
        (
            "il est né le quatorze février mille neuf cent quarante",
            ("BIRTH", "quatorze février mille neuf cent quarante"),
        ),
        ("elle a quatre-vingt-dix-sept ans", ("BIRTH", "quatre-vingt-dix-sept ans")),
        ("sécu 1 72 03 13 055 123 45", ("NIR", "1 72 03 13 055 123 45")),
        ("la carte 4556 7375 8689 9855", ("CARD", "4556 7375 8689 9855")),
        ("la voiture immatriculée ek-482-pz est garée", ("PLATE", "ek-482-pz")),
        ("bonjour je suis le docteur kerbrat du samu", ("NAME", "kerbrat")),
    ],
)
def test_each_category_in_spoken_form(detector: Detector, text: str, expected: tuple[str, str]) -> None:
    assert expected in _found(detector, text)


def test_numbers_that_are_not_identifiers_are_kept(detector: Detector) -> None:
    for text in (
        "un deux trois quatre cinq six sept huit neuf dix",
        "il a pris cinq cents milligrammes à treize heures",
        "appelez le 15 ou le 17",
        "elle a quatre-vingt-cinq ans",
        "madame restez avec lui",
    ):
        assert _found(detector, text) == [], text


def test_placeholders_are_consistent_and_speakers_anonymous() -> None:
    transcript = Transcript(
        "fr",
        9.0,
        (
            Segment(0, 0, 3, "bonjour docteur Lemoine au SAMU", speaker="Jean Marc"),
            Segment(
                1, 3, 6, "docteur Lemoine mon mari Karim Haddad est tombé, le 06 11 22 33 44", speaker="Awa"
            ),
            Segment(2, 6, 9, "Karim vous m'entendez? rappelez le 06 11 22 33 44", speaker="Jean Marc"),
        ),
        (Speaker("Jean Marc"), Speaker("Awa")),
    )
    result = pseudonymise(transcript)
    texts = [s.text for s in result.transcript.segments]
    assert texts[0] == "bonjour docteur [Nom_1] au SAMU"
    assert texts[1] == "docteur [Nom_1] mon mari [Nom_2] est tombé, le [Téléphone_1]"
    assert texts[2] == "[Nom_2] vous m'entendez? rappelez le [Téléphone_1]"
    assert [sp.name for sp in result.transcript.speakers] == ["Intervenant 1", "Intervenant 2"]
    assert "Awa" not in result.transcript.to_json() and "Jean" not in result.transcript.to_json()


def test_surrogates_are_realistic_and_deterministic() -> None:
    transcript = Transcript(
        "fr", 1.0, (Segment(0, 0, 1, "c'est madame Peyrac au 06 11 22 33 44", speaker="A"),)
    )
    options = PseudonymiseOptions(surrogates=True)
    first = pseudonymise(transcript, options, seed="m1").transcript.segments[0].text
    assert first == pseudonymise(transcript, options, seed="m1").transcript.segments[0].text
    assert "Peyrac" not in first and "22 33" not in first and "[" not in first


def test_recall_and_precision_on_annotated_transcripts(gold) -> None:
    real = score([f for f in gold if f.corpus != "synthetic"], PseudonymiseOptions())
    # measured 2026-11: NAME recall 1.000 (61/61), precision 0.95 (Simsamu 46 calls + ELITR 5 meetings)
    assert real.recall("NAME") >= 0.98, real.missed
    assert real.recall() >= 0.95
    assert real.precision() >= 0.85, real.wrong


def test_recall_per_category_on_synthetic_turns(gold) -> None:
    synthetic = score([f for f in gold if f.corpus == "synthetic"], PseudonymiseOptions())
    # measured: 1.000 on every category but NAME (14/15: lower-case 'madeleine' is also a cake)
    for category in ("PHONE", "EMAIL", "ADDRESS", "BIRTH", "NIR", "CARD", "PLATE"):
        assert synthetic.recall(category) == 1.0, (category, synthetic.missed)
    assert synthetic.recall("NAME") >= 0.9
    assert synthetic.recall() >= 0.95
    assert synthetic.precision() >= 0.85, synthetic.wrong
