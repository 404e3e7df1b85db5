"""Guidance for the regulator, not only flags: the next questions for the critical fields still
missing, and the telephone-CPR instructions as soon as the patient is heard unconscious and not
breathing normally.

Alerts alone did not improve the recognition of cardiac arrest (Corti's trial in Copenhagen); what
helps is the next step, said plainly. `guide(form, place, heard)` answers the questions in the order
a regulator asks them (where, callback number, conscious, breathing) and, once "unconscious" and
"not breathing" are both known (in the form, or `heard` in the provisional words of a partial), the
T-CPR script of the French SAMU guidance (hands in the middle of the chest, 100–120 a minute,
count aloud, a defibrillator fetched). A question disappears when its field is filled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from greffier.calls.form import CaseForm
from greffier.calls.place import Place

CPR_STEPS = (
    "Mettez votre téléphone sur haut-parleur et posez-le à côté de lui.",
    "Allongez-le sur le dos, sur le sol (une surface dure).",
    "Mettez-vous à genoux à côté de sa poitrine.",
    "Placez le talon d'une main au centre de la poitrine, l'autre main par-dessus.",
    "Bras tendus, appuyez fort : enfoncez la poitrine de 5 cm, puis relâchez.",
    "Appuyez vite, deux fois par seconde : comptez à voix haute « un, deux, trois… » avec moi.",
    "Ne vous arrêtez pas jusqu'à l'arrivée des secours ; s'il y a un défibrillateur, envoyez quelqu'un le chercher.",
)
"""Compression-only telephone CPR, for an adult (the regulator adapts it for a child or an infant)."""


@dataclass(frozen=True)
class Question:
    key: str
    """The field it fills (`location.address`, `caller.callback_number`, `vitals.consciousness`, …)."""
    text: str


@dataclass(frozen=True)
class Guidance:
    questions: tuple[Question, ...]
    cpr: tuple[str, ...] | None
    """The T-CPR instructions, once unconscious and not breathing are both heard."""

    def to_dict(self) -> dict[str, Any]:
        return {"questions": [asdict(q) for q in self.questions], "cpr": list(self.cpr) if self.cpr else None}


def needs_cpr(form: CaseForm, heard: Iterable[str] = ()) -> bool:
    """Unconscious and not breathing normally: in the form, or among the red flags just `heard`."""
    signs = set(map(str, form.items("red_flags"))) | set(heard)
    unconscious = "unconscious" in signs or form.value("vitals.consciousness") == "unconscious"
    not_breathing = "not_breathing" in signs or form.value("vitals.breathing") == "absent"
    return unconscious and not_breathing


def guide(form: CaseForm, place: Place | None = None, heard: Iterable[str] = ()) -> Guidance:
    """The next questions for the critical fields still missing, and the T-CPR script when due."""
    questions = []
    if place is not None and place.street is not None and place.street.to_confirm:
        where = " ".join(p for p in (place.number, place.street.value) if p)
        city = f" à {place.city.value}" if place.city else ""
        questions.append(Question("location.address", f"Adresse à confirmer : {where}{city} ?"))
    elif form.value("location.address") is None:
        questions.append(
            Question("location.address", "Quelle est l'adresse exacte : numéro, rue et commune ?")
        )
    if form.value("location.city") is None and not (place and place.city):
        questions.append(Question("location.city", "Dans quelle commune ?"))
    if form.value("caller.callback_number") is None:
        questions.append(Question("caller.callback_number", "Quel est votre numéro pour vous rappeler ?"))
    cpr = needs_cpr(form, heard)
    if (
        not cpr
        and form.value("vitals.consciousness") is None
        and "unconscious" not in form.items("red_flags")
    ):
        questions.append(
            Question("vitals.consciousness", "Est-ce qu'il est conscient, est-ce qu'il vous répond ?")
        )
    if not cpr and form.value("vitals.breathing") is None and "not_breathing" not in form.items("red_flags"):
        questions.append(Question("vitals.breathing", "Est-ce qu'il respire normalement ?"))
    return Guidance(tuple(questions), CPR_STEPS if cpr else None)
