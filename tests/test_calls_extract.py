"""The case form filled segment by segment: corrections with history, red flags, attribution, priority."""

from __future__ import annotations

import pytest

from greffier.calls.catalogue import DISCLAIMER
from greffier.calls.export import CaseExport
from greffier.calls.extract import new_form, update
from greffier.calls.form import CaseForm, change_dict, change_of
from greffier.calls.values import FieldValue
from greffier.transcript import Segment, Word

REG, CALLER = "SPEAKER_00", "SPEAKER_01"


def segments(*turns: tuple[str, str]) -> list[Segment]:
    out, t = [], 0.0
    for i, (speaker, text) in enumerate(turns):
        words = []
        for token in text.split():
            words.append(Word(t, t + 0.3, token, 1.0, speaker))
            t += 0.3
        out.append(Segment(i, words[0].start, words[-1].end, text, tuple(words), speaker))
        t += 0.5
    return out


def fill(*turns: tuple[str, str]) -> tuple[CaseForm, list]:
    form, all_changes = new_form(regulator=REG), []
    for seg in segments(*turns):  # one at a time, as the live path feeds them
        form, changes = update(form, [seg])
        all_changes += changes
    return form, all_changes


def test_correction_replaces_value_and_keeps_history() -> None:
    form, changes = fill(
        (REG, "SAMU bonjour, quelle est votre adresse ?"),
        (CALLER, "j'habite au douze bis rue de la Paix à Saint-Denis, au deuxième étage"),
        (REG, "deuxième étage, d'accord"),
        (CALLER, "non, au troisième étage, pardon, le code c'est quatre cinq B six"),
        (REG, "et votre numéro pour vous rappeler ?"),
        (CALLER, "zéro six douze trente-quatre cinquante-six soixante-dix-huit"),
    )
    floor = form["location.floor"]
    assert floor.value == 3
    assert [v.value for v in floor.history] == [2]
    assert floor.values[-1].evidence[0].segment_id == 3
    assert any(c.key == "location.floor" and c.action == "replaced" and c.previous == 2 for c in changes)
    assert form.value("location.address") == "12 bis rue de la Paix"
    assert form.value("location.city") == "Saint-Denis"
    assert form.value("location.door_code") == "45B6"
    assert form.value("caller.callback_number") == "0612345678"


def test_a_form_and_its_changes_read_back_from_json() -> None:
    """What a client of `/ws/call` or a stored record holds is the whole form: values, evidence, history,
    suggestions with their reasons."""
    form, changes = fill(
        (REG, "SAMU bonjour, quelle est votre adresse ?"),
        (CALLER, "au deuxième étage du 4 rue Victor Hugo, mon père ne respire plus"),
        (CALLER, "non, au troisième étage, il a 82 ans"),
    )
    assert form["location.floor"].history and form.priority and form.priority.reasons
    again = CaseForm.from_dict(form.to_dict())
    assert again.to_dict() == form.to_dict()
    assert again.items("red_flags") == form.items("red_flags") == ["not_breathing", "unconscious"]
    assert again.priority == form.priority and again["location.floor"] == form["location.floor"]
    assert [change_of(change_dict(c)) for c in changes] == changes


def test_evidence_points_at_words() -> None:
    form, _ = fill((REG, "SAMU bonjour"), (CALLER, "mon père il a fait un malaise, il ne respire plus"))
    ev = form["vitals.breathing"].values[-1].evidence[0]
    assert (ev.segment_id, ev.speaker) == (1, CALLER)
    seg = segments((REG, "SAMU bonjour"), (CALLER, "mon père il a fait un malaise, il ne respire plus"))[1]
    assert seg.start < ev.start < ev.end <= round(seg.end, 3)  # the words, not the whole segment


@pytest.mark.parametrize(
    ("turns", "flag"),
    [
        ([(REG, "SAMU bonjour"), (CALLER, "mon mari est tombé, il est inconscient")], "unconscious"),
        ([(REG, "est-ce qu'il respire ?"), (CALLER, "non, non, il respire pas")], "not_breathing"),
        ([(REG, "est-ce qu'il respire ?"), (CALLER, "bah non je crois pas")], "not_breathing"),
        ([(REG, "il ne respire pas ?"), (CALLER, "non")], "not_breathing"),
        (
            [
                (REG, "SAMU bonjour"),
                (CALLER, "ma femme s'est coupée, ça saigne beaucoup, y a du sang partout"),
            ],
            "heavy_bleeding",
        ),
        (
            [(REG, "SAMU bonjour"), (CALLER, "mon père a une douleur dans la poitrine depuis une heure")],
            "chest_pain",
        ),
        (
            [
                (REG, "SAMU bonjour"),
                (CALLER, "ma mère a la bouche de travers et son bras gauche ne bouge plus"),
            ],
            "stroke_signs",
        ),
        (
            [(REG, "SAMU bonjour"), (CALLER, "mon fils a du mal à respirer, il s'étouffe")],
            "breathing_difficulty",
        ),
        ([(REG, "elle vous répond ?"), (CALLER, "non elle répond pas")], "unconscious"),
    ],
)
def test_red_flags(turns: list[tuple[str, str]], flag: str) -> None:
    form, changes = fill(*turns)
    assert flag in form.items("red_flags")
    assert any(c.key == "red_flags" and c.value == flag for c in changes)


@pytest.mark.parametrize(
    "turns",
    [
        [(REG, "est-ce qu'il respire ?"), (CALLER, "oui oui il respire")],
        [(REG, "si il perd connaissance ou s'il ne respire plus, vous rappelez le 15"), (CALLER, "d'accord")],
        [(REG, "SAMU bonjour"), (CALLER, "il a pas mal à la poitrine, il a mal au ventre")],
        [
            (REG, "vous appelez pour votre voisin qui a de la fièvre ?"),
            (
                CALLER,
                "oui, moi aussi j'ai eu le covid, j'ai un peu mal dans la poitrine et du mal à respirer",
            ),
        ],
        [
            (REG, "vous appelez pour votre grand-mère qui répond plus au téléphone ?"),
            (CALLER, "oui, si ça se trouve elle fait un arrêt cardiaque"),
        ],
    ],
)
def test_no_red_flag(turns: list[tuple[str, str]]) -> None:
    """Yes answers, the regulator's advice, negations, the caller's own symptoms, guesses about an unseen patient."""
    form, _ = fill(*turns)
    assert form.items("red_flags") == []


def test_caller_history_is_not_the_patients() -> None:
    form, _ = fill(
        (REG, "vous appelez pour votre mère qui a mal au ventre, c'est ça ?"),
        (CALLER, "oui. moi j'ai déjà fait un infarctus hein"),
        (REG, "est-ce qu'elle a des problèmes de santé ?"),
        (CALLER, "elle a du diabète et un peu de tension, elle prend de l'insuline"),
    )
    assert form.value("caller.relation") == "mother" and form.value("caller.type") == "family"
    assert form.value("patient.sex") == "F"
    assert sorted(form.items("patient.history")) == ["diabète", "hypertension"]
    assert form.items("patient.treatments") == ["insuline"]


def test_patient_on_the_line_speaks_for_themselves() -> None:
    form, _ = fill(
        (REG, "vous appelez pour votre frère, passez-le-moi s'il vous plaît"),
        (CALLER, "allô ?"),
        (REG, "vous avez mal où ?"),
        (CALLER, "j'ai mal à la poitrine, et je fume"),
    )
    assert "chest_pain" in form.items("red_flags")
    assert form.items("patient.history") == ["tabagisme"]


def test_list_fields_and_withdrawal() -> None:
    form = new_form()
    form, c1 = form.add_item("risks", FieldValue("fire"))
    form, c2 = form.add_item("risks", FieldValue("fire"))
    assert form.items("risks") == ["fire"] and c1 and c1.action == "added" and c2 is None
    form, withdrawn = form.remove_item("risks", "fire")
    assert withdrawn and withdrawn.action == "removed"
    assert form.items("risks") == [] and [v.value for v in form["risks"].history] == ["fire"]
    with pytest.raises(ValueError):
        form.set_value("vitals.breathing", FieldValue("maybe"))


@pytest.mark.parametrize(
    ("turns", "priority", "care"),
    [
        ([(REG, "est-ce qu'il respire ?"), (CALLER, "non il respire plus")], "P0", "R1"),
        ([(REG, "SAMU bonjour"), (CALLER, "mon mari a une douleur dans la poitrine")], "P1", "R1"),
        ([(REG, "SAMU bonjour"), (CALLER, "ma mère a la bouche de travers")], "P1", "R2"),
        (
            [
                (REG, "SAMU bonjour"),
                (CALLER, "mon voisin s'est fait frapper, il a une plaie au bras, ça saigne un peu"),
            ],
            "P2",
            "R2",
        ),
        ([(REG, "SAMU bonjour"), (CALLER, "mon fils a de la fièvre et il tousse")], "P3", "R3"),
    ],
)
def test_priority_rules(turns: list[tuple[str, str]], priority: str, care: str) -> None:
    form, _ = fill(*turns)
    assert form.priority is not None and form.care_level is not None
    assert (form.priority.value, form.care_level.value) == (priority, care)
    assert form.priority.reasons and all(r.text for r in form.priority.reasons)


def test_export_is_rs_eda_shaped_and_says_the_regulator_decides() -> None:
    form, _ = fill(
        (REG, "SAMU bonjour"), (CALLER, "mon père de quatre-vingts ans est inconscient au troisième étage")
    )
    export = form.to_export()
    data = export.model_dump(mode="json")
    assert CaseExport.model_validate(data) == export
    assert data["patient"][0]["detail"]["age"]["value"] == "P80Y"
    assert data["location"]["access"]["floor"]["value"] == 3
    assert data["qualification"]["redFlags"][0]["code"] == "unconscious"
    assert data["regulation"]["priority"]["suggestedOnly"] is True
    assert data["regulation"]["disclaimer"] == DISCLAIMER and "régulateur décide" in DISCLAIMER
    assert form.to_dict()["disclaimer"] == DISCLAIMER
