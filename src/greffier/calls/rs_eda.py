"""The case as a SAMU-Hub message: an EDXL-DE envelope holding an RS-EDA case (`createCaseHealth`),
or an RS-EDA-MAJ update (`createCaseHealthUpdate`), as `shared/specs/samu-hub/json-schema/` defines.

Codes come from the Hub Santé code lists (`hub_codes`); the commune and street are `place.propose`'s
(the INSEE code from the offline gazetteer), and what was heard is kept beside them in
`location.freetext` with the proposal's confidence. Greffier's evidence spans stay in Greffier: the
message carries the case's link back (`additionalInformation.customMap`, key `greffier.case`), and
the suggested priority and care level go there too, as suggestions, never as `qualification.details`
(the regulator decides). RS-EDA-MAJ can only carry what the model lets an update change: risks,
notes, patients, medical notes and the custom map.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from greffier.calls import hub_codes
from greffier.calls.catalogue import CARE_LEVELS, PRIORITIES, label
from greffier.calls.form import CaseForm
from greffier.calls.place import Place

Kind = Literal["Report", "Update"]


@dataclass(frozen=True)
class HubAddress:
    sender: str
    """This system's client id on the hub (`fr.health.samu031`): sender, owner, id prefix."""
    recipient: str
    """The regulation software's client id: the envelope's address and the routing key."""
    status: Literal["Actual", "Exercise"] = "Actual"


def _stamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("RS-EDA times need a time zone")
    return at.isoformat(timespec="seconds").replace("+00:00", "-00:00")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "call"


def envelope(hub: HubAddress, kind: Kind, message: dict[str, Any], sent: datetime) -> dict[str, Any]:
    """The EDXL-DE envelope (a new distribution id) around one message (`{"createCaseHealth": …}`)."""
    distribution_id = f"{hub.sender}_{uuid.uuid4()}"
    stamp = _stamp(sent)
    return {
        "distributionID": distribution_id,
        "senderID": hub.sender,
        "dateTimeSent": stamp,
        "dateTimeExpires": _stamp(sent + timedelta(days=1)),
        "distributionStatus": hub.status,
        "distributionKind": kind,
        "descriptor": {
            "language": "fr-FR",
            "explicitAddress": {"explicitAddressScheme": "hubex", "explicitAddressValue": hub.recipient},
        },
        "content": [
            {
                "jsonContent": {
                    "embeddedJsonContent": {
                        "message": {
                            "messageId": distribution_id,
                            "sender": {"name": hub.sender, "URI": f"hubex:{hub.sender}"},
                            "sentAt": stamp,
                            "kind": kind,
                            "status": hub.status,
                            "recipient": [{"name": hub.recipient, "URI": f"hubex:{hub.recipient}"}],
                            **message,
                        }
                    }
                }
            }
        ],
    }


@dataclass(frozen=True)
class CaseIds:
    case_id: str
    patient_id: str
    link: str
    """Where the case lives in Greffier (`/api/meetings/{id}/call`, or the call id)."""

    @classmethod
    def of(cls, hub: HubAddress, call_id: str | None, link: str | None = None) -> CaseIds:
        local = _safe(call_id or "call")
        return cls(f"{hub.sender}.DR{local}", f"{hub.sender}.patient.DR{local}.1", link or call_id or local)


def rs_eda(form: CaseForm, place: Place, hub: HubAddress, ids: CaseIds, started: datetime) -> dict[str, Any]:
    """`createCaseHealth` (RS-EDA) of the form: the case as created in the regulation software."""
    case: dict[str, Any] = {
        "caseId": ids.case_id,
        "senderCaseId": form.call_id or ids.link,
        "creation": _stamp(started),
        "qualification": _qualification(form),
        "location": _location(form, place),
        "owner": hub.sender,
    }
    alert = _alert(form, started)
    if alert:
        case["initialAlert"] = alert
    case |= _patient_parts(form, hub, ids, started)
    return {"createCaseHealth": case}


def rs_eda_maj(form: CaseForm, hub: HubAddress, ids: CaseIds, at: datetime) -> dict[str, Any]:
    """`createCaseHealthUpdate` (RS-EDA-MAJ): what an update may change, as the form has it now."""
    update: dict[str, Any] = {"caseId": ids.case_id, "owner": hub.sender}
    risks = _risks(form)
    if risks:
        update["qualification"] = {"riskThreat": risks}
    update |= _patient_parts(form, hub, ids, at)
    return {"createCaseHealthUpdate": update}


def _coded(table: dict[str, tuple[str, str]], value: object) -> dict[str, str] | None:
    found = table.get(str(value)) if value is not None else None
    return {"code": found[0], "label": found[1]} if found else None


def _risks(form: CaseForm) -> list[dict[str, str]]:
    codes = [hub_codes.RISK[str(v)] for v in form.items("risks") if str(v) in hub_codes.RISK]
    return [{"code": c, "label": lbl} for c, lbl in dict(codes).items()]


def _qualification(form: CaseForm) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, table, key in (
        ("whatsHappen", hub_codes.WHATS_HAPPEN, "what_happened"),
        ("locationKind", hub_codes.LOCATION_KIND, "location.kind"),
        ("healthMotive", hub_codes.HEALTH_MOTIVE, "health_motive"),
    ):
        coded = _coded(table, form.value(key))
        if coded:
            out[name] = coded
    risks = _risks(form)
    if risks:
        out["riskThreat"] = risks
    return out


def _location(form: CaseForm, place: Place) -> dict[str, Any]:
    out: dict[str, Any] = {}
    heard_city, heard_address = form.value("location.city"), form.value("location.address")
    if place.city:
        out["city"] = {"name": place.city.value} | ({"inseeCode": place.city.code} if place.city.code else {})
    elif heard_city:
        out["city"] = {"name": str(heard_city)}
    if place.street:
        way = place.street.value
        way_type, _, way_name = way.partition(" ")
        complete = f"{place.number} {way}" if place.number else way
        address: dict[str, Any] = {
            "complete": complete,
            "wayName": {"complete": way, "type": way_type, "name": way_name},
        }
        out["detailedAddress"] = address | ({"number": place.number} if place.number else {})
    elif heard_address:
        out["detailedAddress"] = {"complete": str(heard_address)}
    access: dict[str, Any] = {}
    for name, key in (("floor", "location.floor"), ("interphone", "location.intercom")):
        if form.value(key) is not None:
            access[name] = str(form.value(key))
    if form.value("location.door_code") is not None:
        access["accessCode"] = [str(form.value("location.door_code"))]
    if access:
        out["access"] = access
    notes = [f"Accès : {a}" for a in form.items("location.access")]
    if heard_address or heard_city:
        heard = " à ".join(str(v) for v in (heard_address, heard_city) if v)
        notes.append(f"Adresse entendue : « {heard} »")
    for what, proposal in (("commune", place.city), ("voie", place.street)):
        if proposal and proposal.to_confirm:
            notes.append(
                f"{what} proposée par Greffier : {proposal.value} (confiance {proposal.confidence:.2f}), à confirmer"
            )
    if notes:
        out["freetext"] = " ; ".join(notes)
    return out


def _phone(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "+33" + digits[1:] if digits.startswith("0") else "+" + digits


def _alert(form: CaseForm, started: datetime) -> dict[str, Any] | None:
    """The initial alert: the model wants the caller's contact, so only when a number was heard."""
    number = form.value("caller.callback_number")
    if number is None:
        return None
    contact = {"channel": "PERSONNE", "type": "TEL", "detail": _phone(str(number))}
    caller: dict[str, Any] = {"callerContact": contact, "callbackContact": contact}
    language = str(form.value("caller.language") or "fr")
    caller["language"] = language if len(language) == 2 else "fr"
    if form.value("caller.type") is not None:
        caller["type"] = hub_codes.CALLER_TYPE[str(form.value("caller.type"))]
    if form.value("caller.communication") is not None:
        caller["communication"] = hub_codes.COMMUNICATION[str(form.value("caller.communication"))]
    return {"reception": _stamp(started), "caller": caller}


def _patient_parts(form: CaseForm, hub: HubAddress, ids: CaseIds, at: datetime) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    age, weight = form.value("patient.age"), form.value("patient.weight")
    if isinstance(age, str) and re.fullmatch(r"P[0-9]{1,3}[YMWD]", age):
        detail["age"] = age
    if weight is not None and str(weight).replace(".", "", 1).isdigit():
        detail["weight"] = float(weight)
    for name, key in (("medicalHistory", "patient.history"), ("treatment", "patient.treatments")):
        if form.items(key):
            detail[name] = " ; ".join(str(v) for v in form.items(key))
    heard = [
        f"{form[key].spec.label} : {', '.join(label(key, v) for v in form.items(key))}"
        for key in ("red_flags", "vitals.consciousness", "vitals.breathing", "vitals.bleeding", "vitals.pain")
        if form.items(key)
    ]
    out: dict[str, Any] = {
        "patient": [{"patientId": ids.patient_id} | ({"detail": detail} if detail else {})]
    }
    if heard:
        note_id = f"{hub.sender}.medicalNote.{uuid.uuid4().hex[:12]}"
        out["medicalNote"] = [
            {
                "patientId": ids.patient_id,
                "operator": {"role": "AUTRE", "label": "Greffier (transcription de l'appel)"},
                "medicalNoteId": note_id,
                "creation": _stamp(at),
                "freetext": "Entendu pendant l'appel : " + " ; ".join(heard) + ".",
            }
        ]
    custom = [
        {"key": "greffier.case", "label": "Dossier Greffier (transcription et preuves)", "value": ids.link}
    ]
    for key, suggestion, names in (
        ("greffier.suggestedPriority", form.priority, PRIORITIES),
        ("greffier.suggestedCareLevel", form.care_level, CARE_LEVELS),
    ):
        if suggestion is not None:
            reasons = " ; ".join(r.text for r in suggestion.reasons)
            custom.append(
                {
                    "key": key,
                    "label": f"Suggestion : {names[suggestion.value]}",
                    "value": suggestion.value,
                    "freetext": f"{reasons}. {form.disclaimer}".strip(". "),
                }
            )
    out["additionalInformation"] = {"customMap": custom}
    return out
