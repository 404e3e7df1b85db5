"""French spoken numbers as transcribed: phone numbers, ages, floors, door codes, addresses."""

from __future__ import annotations

import pytest

from greffier.calls import numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon numéro c'est le zéro six douze trente-quatre cinquante-six soixante-dix-huit", "0612345678"),
        ("zéro six douze trente quatre cinquante six soixante dix huit", "0612345678"),
        ("c'est le 06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("zéro un quarante deux quatre-vingt-dix-sept zéro zéro onze", "0142970011"),
        ("plus trente-trois six douze trente-quatre cinquante-six soixante-dix-huit", "0612345678"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("zéro six, heu, douze, trente-quatre, cinquante-six, soixante-dix-huit", "0612345678"),
    ],
)
def test_phone_numbers(text: str, expected: str) -> None:
    assert [m.value for m in numbers.phone_numbers(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "un. deux. trois. quatre. cinq. six. sept. huit. neuf. dix",  # chest compressions counted aloud
        "je suis le docteur DAMANI du SAMU 93",
        "vous rappelez le quinze",
        "ça fait trois quatre jours",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert numbers.phone_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("votre fils de huit ans", "P8Y"),
        ("il a quatre-vingt-deux ans", "P82Y"),
        ("j'ai soixante ans", "P60Y"),
        ("votre fils de heu neuf mois", "P9M"),
        ("votre enfant qui a bien trois mois", "P3M"),
        ("votre collègue de cinquante ans", "P50Y"),
        ("un bébé de trois semaines", "P3W"),
    ],
)
def test_ages(text: str, expected: str) -> None:
    assert [m.value for m in numbers.ages(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "pendant quinze ans on m'a laissée comme ça",
        "il y a un an",
        "ça fait deux semaines qu'il a mal",
        "elle a fait un AIT en quatre-vingt-six",
        "une fracture du col du fémur en 1999",
        "à huit mois ça fait quelle taille",
        "depuis deux ans",
    ],
)
def test_not_ages(text: str) -> None:
    assert numbers.ages(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("au troisième étage", 3),
        ("non, au 3e", 3),
        ("il est au deuxième étage", 2),
        ("au rez-de-chaussée", 0),
        ("au premier", 1),
        ("au 1er étage", 1),
        ("c'est au vingt et unième étage", 21),
        ("étage 4", 4),
    ],
)
def test_floors(text: str, expected: int) -> None:
    assert [m.value for m in numbers.floors(text)] == [expected]


@pytest.mark.parametrize("text", ["le premier janvier", "dans la troisième rue", "c'est la 2e fois"])
def test_not_floors(text: str) -> None:
    assert numbers.floors(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("le code c'est quatre cinq B six", "45B6"),
        ("digicode A douze trente-quatre", "A1234"),
        ("le code de la porte est 1234", "1234"),
        ("code d'entrée : 2 5 8 0 B", "2580B"),
    ],
)
def test_door_codes(text: str, expected: str) -> None:
    assert [m.value for m in numbers.door_codes(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'habite au douze bis rue de la Paix à Saint-Denis", "12 bis rue de la Paix"),
        ("cent vingt-trois avenue Jean Jaurès", "123 avenue Jean Jaurès"),
        ("au 4 ter boulevard Voltaire", "4 ter boulevard Voltaire"),
        ("c'est au sept rue des Lilas au troisième", "7 rue des Lilas"),
    ],
)
def test_addresses(text: str, expected: str) -> None:
    assert [m.value for m in numbers.addresses(text)] == [expected]


def test_city_weight_pain_score() -> None:
    assert [m.value for m in numbers.cities("au douze bis rue de la Paix à Saint-Denis")] == ["Saint-Denis"]
    assert [m.value for m in numbers.weights("il pèse soixante-dix kilos")] == [70]
    assert [m.value for m in numbers.pain_scores("je dirais huit sur dix")] == [8]
