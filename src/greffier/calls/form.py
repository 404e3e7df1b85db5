"""The emergency-call case form, after the French SAMU national case model (RS-EDA, Hub Santé).

A `CaseForm` holds one `Field` per entry of `SCHEMA`. Every value carries the transcript spans it
comes from (`Evidence`: segment id, start, end, speaker, quote). A single-valued field keeps the
values it replaced in `history` (a caller's "non, au troisième étage" replaces "au deuxième"); a
list field (history, treatments, pain sites, red flags, risks) accumulates items. Forms are frozen:
`set_value` / `add_item` return a new form and the `Change` they made.

The priority (P0–P3) and care level (R1–R4) are *suggestions* with their reasons: the regulating
physician decides (`DISCLAIMER`). `to_export` gives the RS-EDA-like JSON (pydantic, `CaseExport`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from greffier.calls.numbers import format_phone

Scalar = str | int

DISCLAIMER = (
    "Priorité et niveau de soins suggérés à partir des propos de l'appel : le médecin régulateur décide."
)


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    multiple: bool = False
    choices: dict[str, str] | None = None
    """Allowed codes and their French labels; None for free values."""


RELATIONS = {
    "self": "lui-même / elle-même",
    "mother": "mère",
    "father": "père",
    "son": "fils",
    "daughter": "fille",
    "child": "enfant",
    "brother": "frère",
    "sister": "sœur",
    "grandmother": "grand-mère",
    "grandfather": "grand-père",
    "grandchild": "petit-enfant",
    "wife": "épouse",
    "husband": "mari",
    "partner": "conjoint(e)",
    "uncle": "oncle",
    "aunt": "tante",
    "cousin": "cousin(e)",
    "relative": "famille",
    "neighbour": "voisin(e)",
    "colleague": "collègue",
    "friend": "ami(e)",
    "employer": "employeur",
    "patient_of": "patient(e) suivi(e)",
    "stranger": "inconnu(e)",
}

SCHEMA: tuple[FieldSpec, ...] = (
    FieldSpec(
        "caller.type",
        "Type d'appelant",
        choices={
            "patient": "le patient lui-même",
            "family": "famille",
            "acquaintance": "proche (voisin, collègue, ami)",
            "bystander": "témoin / tiers",
            "professional": "professionnel (santé, secours, social)",
        },
    ),
    FieldSpec("caller.relation", "Le patient est, pour l'appelant", choices=RELATIONS),
    FieldSpec("caller.callback_number", "Numéro de rappel"),
    FieldSpec("caller.language", "Langue de l'appelant"),
    FieldSpec(
        "caller.communication",
        "Difficulté de communication",
        choices={
            "panic": "panique / angoisse",
            "hostile": "agressivité / hostilité",
            "confused": "incompréhension",
            "language": "barrière de la langue",
            "hearing": "surdité / malentendance",
        },
    ),
    FieldSpec("location.address", "Adresse"),
    FieldSpec("location.city", "Commune"),
    FieldSpec("location.floor", "Étage"),
    FieldSpec("location.door_code", "Code d'accès"),
    FieldSpec("location.intercom", "Interphone"),
    FieldSpec("location.access", "Accès", multiple=True),
    FieldSpec(
        "location.kind",
        "Type de lieu",
        choices={
            "home": "domicile",
            "street": "voie publique",
            "public_place": "lieu public",
            "workplace": "lieu de travail",
        },
    ),
    FieldSpec(
        "what_happened",
        "Ce qui s'est passé",
        choices={
            "road_accident": "accident de la circulation",
            "fall": "chute",
            "assault": "agression / violence",
            "burn": "brûlure",
            "poisoning": "intoxication",
            "fire": "incendie",
            "childbirth": "accouchement",
            "collapse": "malaise / perte de connaissance",
            "illness": "problème de santé (douleur, fièvre…)",
            "behaviour": "trouble du comportement",
            "hanging": "pendaison",
            "drowning": "noyade",
            "no_news": "personne injoignable",
        },
    ),
    FieldSpec(
        "health_motive",
        "Motif de recours",
        choices={
            "cardiac_arrest": "arrêt cardio-respiratoire",
            "altered_consciousness": "trouble de la conscience",
            "breathing_difficulty": "détresse respiratoire",
            "chest_pain": "douleur thoracique",
            "neuro_deficit": "déficit neurologique (AVC ?)",
            "haemorrhage": "hémorragie",
            "wound": "plaie",
            "trauma": "traumatisme",
            "burn": "brûlure",
            "poisoning": "intoxication",
            "obstetric": "obstétrique",
            "abdominal_pain": "douleur abdominale",
            "seizure": "convulsions",
            "fever": "fièvre / infection",
            "psychiatric": "trouble psychiatrique",
            "vertigo": "vertiges",
            "malaise": "malaise",
        },
    ),
    FieldSpec("patient.age", "Âge (ISO 8601 : P32Y, P9M)"),
    FieldSpec("patient.sex", "Sexe", choices={"F": "féminin", "M": "masculin"}),
    FieldSpec("patient.weight", "Poids (kg)"),
    FieldSpec("patient.history", "Antécédents", multiple=True),
    FieldSpec("patient.treatments", "Traitements", multiple=True),
    FieldSpec(
        "vitals.consciousness",
        "Conscience",
        choices={"conscious": "consciente", "altered": "altérée (répond mal)", "unconscious": "inconsciente"},
    ),
    FieldSpec(
        "vitals.breathing",
        "Respiration",
        choices={"normal": "normale", "difficult": "difficile", "absent": "absente"},
    ),
    FieldSpec(
        "vitals.bleeding",
        "Saignement",
        choices={"none": "aucun", "minor": "faible / contrôlé", "heavy": "abondant"},
    ),
    FieldSpec(
        "vitals.pain",
        "Douleur (siège)",
        multiple=True,
        choices={
            "chest": "thorax",
            "abdomen": "ventre",
            "head": "tête",
            "back": "dos",
            "arm": "bras",
            "leg": "jambe",
            "throat": "gorge",
            "neck": "cou / nuque",
            "jaw": "mâchoire",
            "hand": "main",
            "foot": "pied",
        },
    ),
    FieldSpec("vitals.pain_score", "Intensité de la douleur (/10)"),
    FieldSpec(
        "red_flags",
        "Signes de gravité",
        multiple=True,
        choices={
            "unconscious": "inconscient / ne répond pas",
            "not_breathing": "ne respire pas",
            "breathing_difficulty": "détresse respiratoire",
            "heavy_bleeding": "hémorragie importante",
            "chest_pain": "douleur thoracique",
            "stroke_signs": "signes d'AVC",
        },
    ),
    FieldSpec(
        "risks",
        "Risques",
        multiple=True,
        choices={
            "weapon": "arme",
            "violence": "violence",
            "fire": "incendie",
            "smoke": "fumées / gaz",
            "traffic": "circulation",
            "contagion": "contagion",
            "alone": "personne seule",
            "care_refusal": "refus de soins",
            "suicide": "risque suicidaire",
        },
    ),
)
SPECS: dict[str, FieldSpec] = {spec.key: spec for spec in SCHEMA}

PRIORITIES = {
    "P0": "urgence vitale immédiate : engagement réflexe des moyens",
    "P1": "urgence vitale potentielle : régulation médicale immédiate",
    "P2": "urgence sans détresse vitale : prise en charge dans l'heure",
    "P3": "soins non urgents ou conseil",
}
CARE_LEVELS = {
    "R1": "équipe médicale (SMUR)",
    "R2": "transport vers un service d'urgence (secours, ambulance ou moyen personnel)",
    "R3": "consultation médicale non programmée (médecin traitant, SOS Médecins, maison médicale)",
    "R4": "conseil médical, pas de moyen engagé",
}


@dataclass(frozen=True)
class Evidence:
    """A transcript span a value comes from."""

    segment_id: int
    start: float
    end: float
    speaker: str | None
    quote: str


@dataclass(frozen=True)
class FieldValue:
    value: Scalar
    evidence: tuple[Evidence, ...] = ()
    source: Literal["rule", "llm", "regulator"] = "rule"
    note: str | None = None
    """Why the extractor set it (e.g. 'answer to: est-ce qu'il respire ?')."""


@dataclass(frozen=True)
class Field:
    key: str
    values: tuple[FieldValue, ...] = ()
    """The current value (single-valued fields: at most one) or items (list fields)."""
    history: tuple[FieldValue, ...] = ()
    """Values that were replaced or withdrawn, oldest first."""

    @property
    def spec(self) -> FieldSpec:
        return SPECS[self.key]

    @property
    def value(self) -> Scalar | None:
        return self.values[-1].value if self.values else None

    @property
    def items(self) -> list[Scalar]:
        return [v.value for v in self.values]


@dataclass(frozen=True)
class Change:
    """One edit of the form: what the live page highlights."""

    key: str
    action: Literal["set", "replaced", "added", "removed", "evidence", "suggested"]
    value: Scalar | None
    previous: Scalar | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Reason:
    text: str
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """A suggested priority or care level with the rules that led to it."""

    value: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class CaseForm:
    fields: dict[str, Field] = field(default_factory=lambda: {spec.key: Field(spec.key) for spec in SCHEMA})
    priority: Suggestion | None = None
    care_level: Suggestion | None = None
    call_id: str | None = None
    segments_seen: int = 0
    last_time: float = 0.0
    disclaimer: str = DISCLAIMER
    context: Any = None
    """What the extractor remembers between updates (`extract.CallContext`); not part of the case."""

    def __getitem__(self, key: str) -> Field:
        return self.fields[key]

    def value(self, key: str) -> Scalar | None:
        return self.fields[key].value

    def items(self, key: str) -> list[Scalar]:
        return self.fields[key].items

    # -- editing (returns new forms) -------------------------------------------------------------
    def set_value(self, key: str, new: FieldValue) -> tuple[CaseForm, Change | None]:
        """Set a single-valued field; a different value replaces the current one, which goes to history."""
        spec = SPECS[key]
        if spec.multiple:
            raise ValueError(f"{key} holds a list: use add_item")
        _check_choice(spec, new.value)
        current = self.fields[key]
        if current.values and current.value == new.value:
            merged = _merge_evidence(current.values[-1], new)
            if merged is current.values[-1]:
                return self, None
            return self._with(replace(current, values=(merged,))), Change(
                key, "evidence", new.value, None, new.evidence
            )
        history = current.history + current.values
        action = "replaced" if current.values else "set"
        changed = replace(current, values=(new,), history=history)
        return self._with(changed), Change(key, action, new.value, current.value, new.evidence)

    def add_item(self, key: str, new: FieldValue) -> tuple[CaseForm, Change | None]:
        """Add an item to a list field (or more evidence to an item already there)."""
        spec = SPECS[key]
        if not spec.multiple:
            raise ValueError(f"{key} holds one value: use set_value")
        _check_choice(spec, new.value)
        current = self.fields[key]
        for i, item in enumerate(current.values):
            if item.value == new.value:
                merged = _merge_evidence(item, new)
                if merged is item:
                    return self, None
                values = (*current.values[:i], merged, *current.values[i + 1 :])
                return self._with(replace(current, values=values)), Change(
                    key, "evidence", new.value, None, new.evidence
                )
        return self._with(replace(current, values=(*current.values, new))), Change(
            key, "added", new.value, None, new.evidence
        )

    def remove_item(self, key: str, value: Scalar) -> tuple[CaseForm, Change | None]:
        """Withdraw an item of a list field; it stays in the field's history."""
        current = self.fields[key]
        kept = tuple(v for v in current.values if v.value != value)
        gone = tuple(v for v in current.values if v.value == value)
        if not gone:
            return self, None
        return self._with(replace(current, values=kept, history=current.history + gone)), Change(
            key, "removed", None, value
        )

    def _with(self, changed: Field) -> CaseForm:
        return replace(self, fields={**self.fields, changed.key: changed})

    # -- output -----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The form as plain JSON: every field with its current value(s), evidence and history."""
        return {
            "call_id": self.call_id,
            "segments_seen": self.segments_seen,
            "time": self.last_time,
            "disclaimer": self.disclaimer,
            "fields": {key: _field_dict(f) for key, f in self.fields.items()},
            "priority": _suggestion_dict(self.priority),
            "care_level": _suggestion_dict(self.care_level),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseForm:
        """The form `to_dict` wrote (a stored record, a `form` message): what the extractor remembers
        between updates is not in it, so a form read back is for reading, not for more updates."""
        fields = {}
        for key, f in data["fields"].items():
            current = f["items"] if SPECS[key].multiple else [f["value"]] if f["value"] else []
            fields[key] = Field(
                key, tuple(_value_of(v) for v in current), tuple(_value_of(v) for v in f["history"])
            )
        return cls(
            fields=fields,
            priority=_suggestion_of(data["priority"]),
            care_level=_suggestion_of(data["care_level"]),
            call_id=data["call_id"],
            segments_seen=data["segments_seen"],
            last_time=data["time"],
            disclaimer=data["disclaimer"],
        )

    def to_export(self) -> CaseExport:
        return build_export(self)


def label(key: str, value: Scalar | None) -> str:
    """The French label of a coded value (the value itself for free fields)."""
    if value is None:
        return "—"
    if key == "patient.age" and isinstance(value, str) and value[1:-1].isdigit():
        unit = {"Y": "ans", "M": "mois", "W": "semaines", "D": "jours"}.get(value[-1], value[-1])
        return f"{value[1:-1]} {unit}"
    if key == "caller.callback_number" and isinstance(value, str) and value.isdigit():
        return format_phone(value)
    choices = SPECS[key].choices
    return choices.get(str(value), str(value)) if choices else str(value)


def change_dict(change: Change) -> dict[str, Any]:
    return {
        "key": change.key,
        "action": change.action,
        "value": change.value,
        "previous": change.previous,
        "label": label(change.key, change.value) if change.key in SPECS else change.value,
        "evidence": [_evidence_dict(e) for e in change.evidence],
    }


def change_of(data: dict[str, Any]) -> Change:
    """The `Change` that `change_dict` wrote."""
    evidence = tuple(_evidence_of(e) for e in data["evidence"])
    return Change(data["key"], data["action"], data["value"], data["previous"], evidence)


def _check_choice(spec: FieldSpec, value: Scalar) -> None:
    if spec.choices is not None and str(value) not in spec.choices:
        raise ValueError(f"{value!r} is not a code of {spec.key} ({', '.join(spec.choices)})")


def _merge_evidence(old: FieldValue, new: FieldValue) -> FieldValue:
    known = {(e.segment_id, e.quote) for e in old.evidence}
    extra = tuple(e for e in new.evidence if (e.segment_id, e.quote) not in known)
    return replace(old, evidence=old.evidence + extra) if extra else old


def _evidence_dict(e: Evidence) -> dict[str, Any]:
    return {
        "segment_id": e.segment_id,
        "start": e.start,
        "end": e.end,
        "speaker": e.speaker,
        "quote": e.quote,
    }


def _value_dict(key: str, v: FieldValue) -> dict[str, Any]:
    return {
        "value": v.value,
        "label": label(key, v.value),
        "source": v.source,
        "note": v.note,
        "evidence": [_evidence_dict(e) for e in v.evidence],
    }


def _field_dict(f: Field) -> dict[str, Any]:
    data: dict[str, Any] = {"label": f.spec.label, "multiple": f.spec.multiple}
    if f.spec.multiple:
        data["items"] = [_value_dict(f.key, v) for v in f.values]
    else:
        data["value"] = _value_dict(f.key, f.values[-1]) if f.values else None
    data["history"] = [_value_dict(f.key, v) for v in f.history]
    return data


def _suggestion_dict(s: Suggestion | None) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "value": s.value,
        "suggested": True,
        "reasons": [{"text": r.text, "evidence": [_evidence_dict(e) for e in r.evidence]} for r in s.reasons],
    }


def _evidence_of(data: dict[str, Any]) -> Evidence:
    return Evidence(data["segment_id"], data["start"], data["end"], data["speaker"], data["quote"])


def _value_of(data: dict[str, Any]) -> FieldValue:
    evidence = tuple(_evidence_of(e) for e in data["evidence"])
    return FieldValue(data["value"], evidence, data["source"], data["note"])


def _suggestion_of(data: dict[str, Any] | None) -> Suggestion | None:
    if data is None:
        return None
    reasons = tuple(Reason(r["text"], tuple(_evidence_of(e) for e in r["evidence"])) for r in data["reasons"])
    return Suggestion(data["value"], reasons)


# -- RS-EDA-like export (pydantic: the edge of the system) -----------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpanOut(_Model):
    segment_id: int
    start: float
    end: float
    speaker: str | None
    quote: str


class Coded(_Model):
    code: str
    label: str
    evidence: list[SpanOut] = []


class Valued(_Model):
    value: str | int
    evidence: list[SpanOut] = []


class Contact(_Model):
    type: Literal["TEL"] = "TEL"
    detail: str
    evidence: list[SpanOut] = []


class Caller(_Model):
    type: Coded | None = None
    relation: Coded | None = None
    callbackContact: Contact | None = None
    language: str = "fr"
    communication: Coded | None = None


class Access(_Model):
    floor: Valued | None = None
    doorCode: Valued | None = None
    interphone: Valued | None = None
    details: list[Valued] = []


class Location(_Model):
    locationKind: Coded | None = None
    detailedAddress: Valued | None = None
    city: Valued | None = None
    access: Access = Access()


class Qualification(_Model):
    whatsHappen: Coded | None = None
    healthMotive: Coded | None = None
    riskThreat: list[Coded] = []
    redFlags: list[Coded] = []


class Vitals(_Model):
    consciousness: Coded | None = None
    breathing: Coded | None = None
    bleeding: Coded | None = None
    pain: list[Coded] = []
    painScore: Valued | None = None


class PatientDetail(_Model):
    age: Valued | None = PydanticField(None, description="ISO 8601 duration, as RS-EDA: P32Y, P9M")
    sex: Coded | None = None
    weight: Valued | None = None
    medicalHistory: list[Valued] = []
    treatments: list[Valued] = []


class Patient(_Model):
    detail: PatientDetail
    vitals: Vitals


class SuggestionOut(_Model):
    value: str
    label: str
    reasons: list[str]
    suggestedOnly: Literal[True] = True


class Regulation(_Model):
    priority: SuggestionOut | None = None
    careLevel: SuggestionOut | None = None
    disclaimer: str


class CaseExport(_Model):
    """`createCaseHealth`-shaped case (Hub Santé RS-EDA), with the transcript evidence of every value."""

    caseId: str | None
    qualification: Qualification
    location: Location
    initialAlert: dict[str, Caller]
    patient: list[Patient]
    regulation: Regulation


def build_export(form: CaseForm) -> CaseExport:
    def spans(v: FieldValue) -> list[SpanOut]:
        return [SpanOut(**_evidence_dict(e)) for e in v.evidence]

    def coded(key: str) -> Coded | None:
        f = form[key]
        return (
            Coded(code=str(f.value), label=label(key, f.value), evidence=spans(f.values[-1]))
            if f.values
            else None
        )

    def coded_list(key: str) -> list[Coded]:
        return [
            Coded(code=str(v.value), label=label(key, v.value), evidence=spans(v)) for v in form[key].values
        ]

    def valued(key: str) -> Valued | None:
        f = form[key]
        return Valued(value=f.values[-1].value, evidence=spans(f.values[-1])) if f.values else None

    def valued_list(key: str) -> list[Valued]:
        return [Valued(value=v.value, evidence=spans(v)) for v in form[key].values]

    def suggestion(s: Suggestion | None, names: dict[str, str]) -> SuggestionOut | None:
        return (
            SuggestionOut(value=s.value, label=names[s.value], reasons=[r.text for r in s.reasons])
            if s
            else None
        )

    phone = form["caller.callback_number"]
    return CaseExport(
        caseId=form.call_id,
        qualification=Qualification(
            whatsHappen=coded("what_happened"),
            healthMotive=coded("health_motive"),
            riskThreat=coded_list("risks"),
            redFlags=coded_list("red_flags"),
        ),
        location=Location(
            locationKind=coded("location.kind"),
            detailedAddress=valued("location.address"),
            city=valued("location.city"),
            access=Access(
                floor=valued("location.floor"),
                doorCode=valued("location.door_code"),
                interphone=valued("location.intercom"),
                details=valued_list("location.access"),
            ),
        ),
        initialAlert={
            "caller": Caller(
                type=coded("caller.type"),
                relation=coded("caller.relation"),
                callbackContact=Contact(detail=str(phone.value), evidence=spans(phone.values[-1]))
                if phone.values
                else None,
                language=str(form.value("caller.language") or "fr"),
                communication=coded("caller.communication"),
            )
        },
        patient=[
            Patient(
                detail=PatientDetail(
                    age=valued("patient.age"),
                    sex=coded("patient.sex"),
                    weight=valued("patient.weight"),
                    medicalHistory=valued_list("patient.history"),
                    treatments=valued_list("patient.treatments"),
                ),
                vitals=Vitals(
                    consciousness=coded("vitals.consciousness"),
                    breathing=coded("vitals.breathing"),
                    bleeding=coded("vitals.bleeding"),
                    pain=coded_list("vitals.pain"),
                    painScore=valued("vitals.pain_score"),
                ),
            )
        ],
        regulation=Regulation(
            priority=suggestion(form.priority, PRIORITIES),
            careLevel=suggestion(form.care_level, CARE_LEVELS),
            disclaimer=form.disclaimer,
        ),
    )
