"""Suggested priority (P0–P3) and care level (R1–R4) from the form, by transparent rules.

Each rule reads the form and, when it applies, proposes a priority, a care level and a reason in
French that cites the evidence. The suggestion is the most urgent priority and the most intensive
care level proposed, with the reasons of the rules that gave them. Our reading of the scale used in
French SAMU regulation: P0 immediate threat to life (reflex dispatch), P1 potential vital distress
(immediate regulation), P2 urgent without vital distress, P3 non-urgent; R1 mobile medical team
(SMUR), R2 transport to an emergency department, R3 unscheduled consultation, R4 advice only.
It is a suggestion: the regulating physician decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from greffier.calls.form import CaseForm
from greffier.calls.values import Evidence, Reason, Suggestion


@dataclass(frozen=True)
class Rule:
    priority: str
    care: str
    reason: str
    applies: Callable[[CaseForm], tuple[Evidence, ...] | None]
    """The evidence when the rule applies, None when it does not."""


def _item(key: str, value: str) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        for v in form[key].values:
            if v.value == value:
                return v.evidence
        return None

    return check


def _value(key: str, *values: str) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        f = form[key]
        return f.values[-1].evidence if f.values and f.value in values else None

    return check


def _both(
    a: Callable[[CaseForm], tuple[Evidence, ...] | None], b: Callable[[CaseForm], tuple[Evidence, ...] | None]
) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        first, second = a(form), b(form)
        return first + second if first is not None and second is not None else None

    return check


def _any_item(key: str, *values: str) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    """The evidence of the first item of `key` that is one of `values`."""

    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        return next((v.evidence for v in form[key].values if v.value in values), None)

    return check


def _not(
    a: Callable[[CaseForm], tuple[Evidence, ...] | None], b: Callable[[CaseForm], tuple[Evidence, ...] | None]
) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    """a, unless b."""

    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        return a(form) if b(form) is None else None

    return check


def _years(form: CaseForm) -> float | None:
    age = form.value("patient.age")
    if not isinstance(age, str) or not age.startswith("P"):
        return None
    number, unit = int(age[1:-1]), age[-1]
    return number / {"Y": 1, "M": 12, "W": 52, "D": 365}[unit]


def _age_below(limit: float) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        years = _years(form)
        return form["patient.age"].values[-1].evidence if years is not None and years < limit else None

    return check


def _any_value(key: str) -> Callable[[CaseForm], tuple[Evidence, ...] | None]:
    def check(form: CaseForm) -> tuple[Evidence, ...] | None:
        f = form[key]
        return f.values[-1].evidence if f.values else None

    return check


RULES: tuple[Rule, ...] = (
    Rule(
        "P0",
        "R1",
        "ne respire pas : arrêt cardio-respiratoire possible, réanimation guidée",
        _item("red_flags", "not_breathing"),
    ),
    Rule("P0", "R1", "pendaison", _value("what_happened", "hanging")),
    Rule(
        "P0",
        "R1",
        "inconscient avec respiration difficile",
        _both(_value("vitals.consciousness", "unconscious"), _value("vitals.breathing", "difficult")),
    ),
    Rule("P1", "R1", "détresse respiratoire", _item("red_flags", "breathing_difficulty")),
    Rule("P1", "R1", "douleur thoracique : syndrome coronarien à éliminer", _item("red_flags", "chest_pain")),
    Rule(
        "P1",
        "R1",
        "douleur irradiant au bras ou à la mâchoire : syndrome coronarien possible",
        # the arm or jaw with a pain of the trunk (chest, or the atypical epigastric / back pain)
        _both(_any_item("vitals.pain", "arm", "jaw"), _any_item("vitals.pain", "chest", "abdomen", "back")),
    ),
    Rule("P1", "R1", "inconscient", _value("vitals.consciousness", "unconscious")),
    Rule("P1", "R2", "ne répond pas / trouble de la conscience signalé", _item("red_flags", "unconscious")),
    Rule("P1", "R2", "signes d'AVC : filière neurovasculaire sans délai", _item("red_flags", "stroke_signs")),
    Rule("P1", "R2", "hémorragie importante", _value("vitals.bleeding", "heavy")),
    Rule(
        "P1",
        "R2",
        "accident de la circulation : cinétique à évaluer",
        _value("what_happened", "road_accident"),
    ),
    Rule("P1", "R2", "incendie : victime possible, fumées", _value("what_happened", "fire")),
    Rule("P1", "R2", "accouchement en cours", _value("what_happened", "childbirth")),
    Rule(
        "P1",
        "R2",
        "intoxication chez un nourrisson",
        _both(_value("what_happened", "poisoning"), _age_below(2)),
    ),
    Rule(
        "P2",
        "R2",
        "saignement signalé important, contrôlé depuis",
        _not(_item("red_flags", "heavy_bleeding"), _value("vitals.bleeding", "heavy")),
    ),
    Rule("P2", "R2", "agression : plaie ou lésion à examiner", _value("what_happened", "assault")),
    Rule("P2", "R2", "plaie ou traumatisme à examiner", _value("health_motive", "wound", "trauma")),
    Rule("P2", "R2", "intoxication", _value("what_happened", "poisoning")),
    Rule("P2", "R2", "brûlure chez un enfant", _both(_value("what_happened", "burn"), _age_below(15))),
    Rule("P2", "R2", "personne injoignable : levée de doute à domicile", _value("what_happened", "no_news")),
    Rule("P2", "R2", "chute", _value("what_happened", "fall")),
    Rule("P2", "R3", "hémorragie extériorisée", _value("health_motive", "haemorrhage")),
    Rule(
        "P2",
        "R3",
        "douleur abdominale chez un enfant ou un adolescent",
        _both(_value("health_motive", "abdominal_pain"), _age_below(18)),
    ),
    Rule("P2", "R3", "malaise", _value("what_happened", "collapse")),
    Rule("P3", "R3", "brûlure", _value("what_happened", "burn")),
    Rule("P3", "R3", "motif sans signe de gravité relevé", _any_value("health_motive")),
    Rule("P3", "R3", "motif sans signe de gravité relevé", _any_value("what_happened")),
)


def suggest(form: CaseForm) -> tuple[Suggestion | None, Suggestion | None]:
    """The suggested (priority, care level), or (None, None) while the form says too little."""
    applied = [(rule, evidence) for rule in RULES if (evidence := rule.applies(form)) is not None]
    if not applied:
        return None, None
    priority = min(rule.priority for rule, _ in applied)
    care = min(rule.care for rule, _ in applied)

    def reasons(selected: list[tuple[Rule, tuple[Evidence, ...]]]) -> tuple[Reason, ...]:
        seen: dict[str, Reason] = {}
        for rule, evidence in selected:
            seen.setdefault(rule.reason, Reason(rule.reason, evidence))
        return tuple(seen.values())

    return (
        Suggestion(priority, reasons([(r, e) for r, e in applied if r.priority == priority])),
        Suggestion(care, reasons([(r, e) for r, e in applied if r.care == care])),
    )
