"""Every priority rule, from what a caller says: a sentence that must fire it and one that must not."""

from __future__ import annotations

import pytest

from greffier.calls.form import CaseForm
from greffier.calls.priority import RULES
from test_calls_extract import CALLER, REG, fill

CASES: dict[str, tuple[list[str], list[str]]] = {
    # reason: (caller turns that fire the rule, caller turns that do not)
    "ne respire pas : arrêt cardio-respiratoire possible, réanimation guidée": (
        ["mon père ne respire plus"],
        ["mon père respire normalement"],
    ),
    "pendaison": (["mon fils s'est pendu"], ["mon fils est tombé"]),
    "inconscient avec respiration difficile": (
        ["mon mari est inconscient et il respire difficilement"],
        ["mon mari est inconscient, il respire normalement"],
    ),
    "détresse respiratoire": (["ma mère a du mal à respirer"], ["ma mère respire bien"]),
    "douleur thoracique : syndrome coronarien à éliminer": (["j'ai mal à la poitrine"], ["j'ai mal au bras"]),
    "douleur irradiant au bras ou à la mâchoire : syndrome coronarien possible": (
        ["j'ai mal à la poitrine", "j'ai mal à la mâchoire"],
        ["j'ai mal à la jambe", "j'ai mal au bras"],
    ),
    "inconscient": (["elle est inconsciente"], ["elle est consciente"]),
    "ne répond pas / trouble de la conscience signalé": (["il ne répond plus"], ["elle est consciente"]),
    "signes d'AVC : filière neurovasculaire sans délai": (
        ["elle a la bouche de travers"],
        ["il a fait un malaise"],
    ),
    "hémorragie importante": (["il saigne beaucoup"], ["il saigne un peu"]),
    "accident de la circulation : cinétique à évaluer": (
        ["il a eu un accident de voiture"],
        ["ma mère est tombée"],
    ),
    "incendie : victime possible, fumées": (
        ["il y a un incendie dans l'appartement"],
        ["il a fait un malaise"],
    ),
    "accouchement en cours": (["ma femme est en train d'accoucher"], ["il a fait un malaise"]),
    "intoxication chez un nourrisson": (
        ["mon bébé de un an a avalé des médicaments"],
        ["mon fils de dix ans a avalé des médicaments"],
    ),
    "saignement signalé important, contrôlé depuis": (
        ["il saigne beaucoup", "il saigne plus"],
        ["il saigne beaucoup"],
    ),
    "agression : plaie ou lésion à examiner": (["il s'est fait agresser"], ["ma mère est tombée"]),
    "plaie ou traumatisme à examiner": (["ma mère est tombée"], ["il a fait un malaise"]),
    "intoxication": (["mon mari a avalé des médicaments"], ["il a fait un malaise"]),
    "brûlure chez un enfant": (
        ["mon fils de huit ans s'est brûlé"],
        ["mon mari de quarante ans s'est brûlé"],
    ),
    "personne injoignable : levée de doute à domicile": (
        ["ma grand-mère répond plus au téléphone"],
        ["ma mère est tombée"],
    ),
    "chute": (["ma mère est tombée"], ["il a fait un malaise"]),
    "hémorragie extériorisée": (["il saigne du nez"], ["il a fait un malaise"]),
    "douleur abdominale chez un enfant ou un adolescent": (
        ["ma fille de douze ans a mal au ventre"],
        ["ma fille de quarante ans a mal au ventre"],
    ),
    "malaise": (["il a fait un malaise"], ["ma mère est tombée"]),
    "brûlure": (["mon mari de quarante ans s'est brûlé"], ["il a fait un malaise"]),
    "motif sans signe de gravité relevé": (["il a fait un malaise"], ["bonjour"]),
}


def _applied(caller_turns: list[str]) -> set[str]:
    form: CaseForm
    form, _ = fill((REG, "SAMU bonjour, je vous écoute"), *[(CALLER, text) for text in caller_turns])
    return {rule.reason for rule in RULES if rule.applies(form) is not None}


def test_every_rule_has_its_cases() -> None:
    assert {rule.reason for rule in RULES} == set(CASES)


@pytest.mark.parametrize("reason", list(CASES))
def test_rule_fires_on_its_sentence_only(reason: str) -> None:
    fires, does_not = CASES[reason]
    assert reason in _applied(fires)
    assert reason not in _applied(does_not)
