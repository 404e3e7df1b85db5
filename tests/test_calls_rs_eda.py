"""The case as a SAMU-Hub message: every synthetic and Simsamu call gives an EDXL-DE envelope with an
RS-EDA case (and an RS-EDA-MAJ update) valid against the national schemas, with Hub Santé codes."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bench.calls import gold_calls, transcript_for
from bench.calls_where import ADDRESS_BASE, where_calls
from greffier.calls import hub_codes
from greffier.calls.extract import extract_transcript
from greffier.calls.rs_eda import CaseIds, HubAddress, envelope, rs_eda_maj
from greffier.calls.share import LiveShare, report
from greffier.calls.simsamu import load_simsamu
from greffier.config import Settings
from tests.conftest import run_cli
from tests.hub_schemas import errors, message_of, nomenclature

SETTINGS = Settings(address_base=ADDRESS_BASE, hub_client_id="fr.health.samu031")
STARTED = datetime(2026, 12, 7, 1, 30, tzinfo=ZoneInfo("Europe/Paris"))
CALLS = [pytest.param(p, id=p.stem) for p in where_calls()] + [
    pytest.param(d, id=d["call"]) for d in gold_calls()
]


def _transcript(call):
    return load_simsamu(call) if hasattr(call, "stem") else transcript_for(call)


@pytest.mark.parametrize("call", CALLS)
def test_every_call_gives_a_valid_rs_eda_and_rs_eda_maj(call) -> None:
    form = extract_transcript(_transcript(call))
    sent = report(form, SETTINGS, STARTED, "/api/meetings/x/call")
    assert errors("EDXL-DE-full.schema.json", sent) == []
    message = message_of(sent)
    assert errors("RS-EDA.schema.json", message["createCaseHealth"]) == []
    assert message["messageId"] == sent["distributionID"] and message["kind"] == sent["distributionKind"]
    case = message["createCaseHealth"]
    assert {
        "key": "greffier.case",
        "label": case["additionalInformation"]["customMap"][0]["label"],
        "value": "/api/meetings/x/call",
    } in case["additionalInformation"]["customMap"]
    assert "evidence" not in json.dumps(sent)  # the spans stay in Greffier
    hub = HubAddress(SETTINGS.hub_client_id, SETTINGS.hub_recipient_id)
    update = envelope(hub, "Update", rs_eda_maj(form, hub, CaseIds.of(hub, form.call_id), STARTED), STARTED)
    assert errors("EDXL-DE-full.schema.json", update) == []
    assert errors("RS-EDA-MAJ.schema.json", message_of(update)["createCaseHealthUpdate"]) == []


def test_the_validation_catches_a_broken_case() -> None:
    form = extract_transcript(load_simsamu(where_calls()[0]))
    sent = report(form, SETTINGS, STARTED)
    case = message_of(sent)["createCaseHealth"]
    case["location"]["city"]["inseeCode"] = "Toulouse"
    case["qualification"]["healthMotive"] = {"code": "malaise", "label": "malaise"}
    sent["distributionKind"] = "Notice"
    broken = errors("EDXL-DE-full.schema.json", sent) + errors("RS-EDA.schema.json", case)
    assert any("distributionKind" in e for e in broken)
    assert any("inseeCode" in e for e in broken) and any("healthMotive" in e for e in broken)


@pytest.mark.parametrize("name", sorted(hub_codes.TABLES))
def test_codes_and_labels_come_from_the_hub_code_lists(name: str) -> None:
    with nomenclature(name).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    labels = {r["code"]: [v.strip() for k, v in r.items() if k.startswith("label") and v] for r in rows}
    for ours, (code, label) in hub_codes.TABLES[name].items():
        assert code in labels, (ours, code)
        assert label == labels[code][-1], (ours, code, labels[code])
    for table, name in (
        (hub_codes.CALLER_TYPE, "HubSante.typeAppelant.csv"),
        (hub_codes.COMMUNICATION, "HubSante.communication.csv"),
    ):
        with nomenclature(name).open(encoding="utf-8") as f:
            assert set(table.values()) <= {r["code"] for r in csv.DictReader(f)}


def test_the_issue_call_names_the_commune_and_proposes_the_street() -> None:
    path = next(p for p in where_calls() if p.stem == "where_lilas")
    case = message_of(report(extract_transcript(load_simsamu(path)), SETTINGS, STARTED))["createCaseHealth"]
    location = case["location"]
    assert location["city"] == {"name": "Toulouse", "inseeCode": "31555"}
    assert location["detailedAddress"]["complete"] == "12 Rue des Lilas"
    assert "« 12 rédélilare à Toulouse »" in location["freetext"]  # what was heard goes with it
    assert "voie proposée par Greffier : Rue des Lilas (confiance" in location["freetext"]
    assert case["qualification"]["whatsHappen"]["code"].startswith("C02.")


def test_a_live_call_reports_once_then_sends_updates() -> None:
    path = next(p for p in where_calls() if p.stem == "where_arret")
    transcript = load_simsamu(path)
    share = LiveShare(SETTINGS, STARTED)
    from greffier.calls.extract import new_form, update

    form, sent = new_form(call_id="where_arret"), []
    for segment in transcript.segments:
        form, _ = update(form, [segment])
        sent += share.messages(form, STARTED)
    sent += share.messages(form, STARTED, final=True)
    kinds = [m["distributionKind"] for m in sent]
    assert kinds[0] == "Report" and set(kinds[1:]) == {"Update"} and len(kinds) >= 2
    assert len({m["distributionID"] for m in sent}) == len(sent)
    assert "createCaseHealth" in message_of(sent[0])
    last = message_of(sent[-1])["createCaseHealthUpdate"]
    assert "ne respire pas" in last["medicalNote"][0]["freetext"]
    for m in sent:
        assert errors("EDXL-DE-full.schema.json", m) == []


def test_cli_export_rs_eda(tmp_path) -> None:
    path = next(p for p in where_calls() if p.stem == "where_jaures")
    done = run_cli("call", str(path), "--export", "rs-eda", env={"GREFFIER_ADDRESS_BASE": str(ADDRESS_BASE)})
    assert done.returncode == 0, done.stderr
    sent = json.loads(done.stdout)
    assert errors("EDXL-DE-full.schema.json", sent) == []
    location = message_of(sent)["createCaseHealth"]["location"]
    assert location["city"] == {"name": "Lyon", "inseeCode": "69123"}
    assert location["detailedAddress"]["complete"] == "43 bis Avenue Jean Jaurès"
    wrong = run_cli("call", str(path), "--export", "xml")
    assert wrong.returncode != 0 and "--export rs-eda" in wrong.stderr
