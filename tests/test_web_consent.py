"""The meeting page's "Sharing / consent" panel in Chromium (the fixtures of test_web.py): the licence
and a speaker's consent set on the page are what the server keeps, and still there after a reload."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

import test_web
from bench.pii_corpus import load
from conftest import eval_file
from dataset_seed import organisation_id, seed_meeting
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from test_web import EMAIL, RECORDING, Web, sign_in

page, web = test_web.page, test_web.web  # the fixtures of test_web.py (browser: conftest)


def _meeting(web: Web) -> str:
    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        transcript = load("simsamu", "dj_2022_nrp").rename_speaker("medecin", "Dr Lemoine")
        return str(
            seed_meeting(
                db,
                organisation_id(db, "acme"),
                transcript,
                "Appel au 15",
                audio=eval_file(RECORDING),
                blobs=BlobStore(web.data / "blobs"),
            )
        )
    finally:
        db.dispose()


def test_licence_and_consent_set_on_the_page_persist(page: Page, web: Web) -> None:
    meeting = _meeting(web)
    sign_in(page, web)
    page.goto(f"{web.url}/meetings/{meeting}")
    panel = page.locator(".consent-panel")
    expect(panel.get_by_role("heading", name="Partage / consentement")).to_be_visible()
    licence = panel.get_by_label("Licence")
    expect(licence).to_have_value("none")
    doctor = panel.locator('li[data-speaker="medecin"]')
    expect(doctor.locator(".name")).to_have_text("Dr Lemoine")  # the display name, not the id
    expect(doctor.locator(".badge")).to_have_text("Pas de consentement")

    licence.select_option("cc-by-4.0")
    expect(page.locator("#toast")).to_contain_text("Licence enregistrée")
    expect(panel.get_by_text(f"Choisie par {EMAIL}")).to_be_visible()
    doctor.get_by_label("Consentement de Dr Lemoine").select_option("given")
    doctor.get_by_label("Identifiant de la personne (pseudonyme) pour Dr Lemoine").fill("dr-l")
    doctor.get_by_role("button", name="Enregistrer").click()
    expect(doctor.locator(".badge")).to_have_text("Accord donné")
    caller = panel.locator('li[data-speaker="patient"]')
    caller.get_by_label("Consentement de patient").select_option("refused")
    caller.get_by_role("button", name="Enregistrer").click()
    expect(caller.locator(".badge")).to_have_text("Refus")

    page.reload()
    expect(panel.get_by_label("Licence")).to_have_value("cc-by-4.0")
    expect(doctor.locator(".badge")).to_have_text("Accord donné")
    expect(doctor).to_contain_text(f"par {EMAIL}")
    expect(doctor.get_by_label("Identifiant de la personne (pseudonyme) pour Dr Lemoine")).to_have_value(
        "dr-l"
    )
    expect(caller.locator(".badge")).to_have_text("Refus")
    panel.get_by_text("Historique (2)").click()
    expect(panel.locator(".consent-history li")).to_have_text(  # newest first, each with who and when
        [
            re.compile(rf"^patient : Refus · par {re.escape(EMAIL)} · \S.+"),
            re.compile(rf"^Dr Lemoine : Accord donné · par {re.escape(EMAIL)} · \S.+"),
        ]
    )

    page.get_by_role("button", name="English").click()  # the panel switches language in place
    expect(panel.get_by_role("heading", name="Sharing / consent")).to_be_visible()
    expect(doctor.locator(".badge")).to_have_text("Given")
    api = page.request.get(f"{web.url}/api/meetings/{meeting}/consents").json()
    assert {s["speaker"]: s["status"] for s in api["speakers"]} == {"medecin": "given", "patient": "refused"}
