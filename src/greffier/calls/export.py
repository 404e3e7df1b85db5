"""The RS-EDA-like export of a case form (pydantic: the edge of the system), `createCaseHealth`-shaped."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from greffier.calls.catalogue import CARE_LEVELS, PRIORITIES, label
from greffier.calls.values import FieldValue, FormField, Suggestion


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


def build_export(
    fields: Mapping[str, FormField],
    call_id: str | None,
    priority: Suggestion | None,
    care_level: Suggestion | None,
    disclaimer: str,
) -> CaseExport:
    """The case of a form (`CaseForm.to_export`): its fields, id, suggestions and disclaimer."""

    def spans(v: FieldValue) -> list[SpanOut]:
        return [SpanOut(**dataclasses.asdict(e)) for e in v.evidence]

    def coded(key: str) -> Coded | None:
        f = fields[key]
        return (
            Coded(code=str(f.value), label=label(key, f.value), evidence=spans(f.values[-1]))
            if f.values
            else None
        )

    def coded_list(key: str) -> list[Coded]:
        return [
            Coded(code=str(v.value), label=label(key, v.value), evidence=spans(v)) for v in fields[key].values
        ]

    def valued(key: str) -> Valued | None:
        f = fields[key]
        return Valued(value=f.values[-1].value, evidence=spans(f.values[-1])) if f.values else None

    def valued_list(key: str) -> list[Valued]:
        return [Valued(value=v.value, evidence=spans(v)) for v in fields[key].values]

    def suggestion(s: Suggestion | None, names: dict[str, str]) -> SuggestionOut | None:
        return (
            SuggestionOut(value=s.value, label=names[s.value], reasons=[r.text for r in s.reasons])
            if s
            else None
        )

    phone = fields["caller.callback_number"]
    return CaseExport(
        caseId=call_id,
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
                language=str(fields["caller.language"].value or "fr"),
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
            priority=suggestion(priority, PRIORITIES),
            careLevel=suggestion(care_level, CARE_LEVELS),
            disclaimer=disclaimer,
        ),
    )
