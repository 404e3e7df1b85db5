"""The meeting page's "Diffusion" panel in Chromium (the fixtures of test_web.py): each delivery with
its state, a failure with its reason and fix, and "Renvoyer" sending it again to a real WebDAV server."""

from __future__ import annotations

from playwright.sync_api import Page, expect

import delivery_servers as targets
import test_web
from dataset_seed import organisation_id, seed_meeting
from greffier.app.destinations import NewDestination, add_destination
from greffier.config import Settings
from greffier.store.db import Database
from greffier.store.models import Delivery, Meeting, utcnow
from greffier.transcript import Segment, Transcript
from test_web import Web, sign_in

page, web = test_web.page, test_web.web  # the fixtures of test_web.py (browser: conftest)


def test_a_failed_delivery_shows_why_and_is_sent_again_from_the_page(page: Page, web: Web) -> None:
    with targets.webdav(anonymous=True) as dav:
        db = Database(f"sqlite:///{web.data / 'greffier.db'}")
        try:
            organisation = organisation_id(db, "acme")
            transcript = Transcript(language="fr", duration=2.0, segments=(Segment(0, 0.0, 2.0, "Bonjour."),))
            meeting = seed_meeting(db, organisation, transcript, "Point hebdomadaire")
            new = NewDestination("drive", "webdav", {"url": dav.url})
            destination = add_destination(db, Settings(), organisation, new)
            with db.write() as session:
                session.add(
                    Delivery(
                        organisation_id=organisation,
                        meeting_id=meeting,
                        destination_id=destination.id,
                        event="meeting.transcribed",
                        source="1",
                        state="failed",
                        attempts=5,
                        error="WebDAV folder cannot be reached (ConnectError)",
                        fix="it was tried 5 times; once it is back up, send it again",
                        remote={},
                        created=utcnow(),
                    )
                )
        finally:
            db.dispose()
        sign_in(page, web)
        page.goto(f"{web.url}/meetings/{meeting}")
        panel = page.locator(".deliveries-panel")
        expect(panel.get_by_role("heading", name="Diffusion")).to_be_visible()
        item = panel.locator("li[data-delivery]")
        expect(item.locator(".name")).to_have_text("drive")
        expect(item.locator(".badge")).to_have_text("Échec")
        expect(item).to_contain_text("cannot be reached")
        expect(item).to_contain_text("Que faire : it was tried 5 times")
        item.get_by_role("button", name="Renvoyer à drive").click()
        expect(page.locator("#toast")).to_contain_text("Nouvel envoi à drive")
        expect(item.locator(".badge")).to_have_text("Envoyé", timeout=30_000)
        written = sorted(path.name for path in (dav.root / "dav").glob("* Point hebdomadaire/*"))
        assert written == ["Transcript.docx", "Transcript.md", "Transcript.srt"]
        page.reload()
        expect(item.locator(".badge")).to_have_text("Envoyé")


def test_the_meeting_chooses_its_destinations_health_mark_and_participants(page: Page, web: Web) -> None:
    """The meeting's own sending settings: a participant without an address is refused with the
    server's reason and nothing is changed; once corrected, the choice is stored and shown again."""
    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        organisation = organisation_id(db, "acme")
        transcript = Transcript(language="fr", duration=2.0, segments=(Segment(0, 0.0, 2.0, "Bonjour."),))
        meeting = seed_meeting(db, organisation, transcript, "Comité de pilotage")
        cloud = add_destination(
            db,
            Settings(),
            organisation,
            NewDestination("nextcloud", "webdav", {"url": "http://127.0.0.1:9/dav"}),
        )
        add_destination(
            db,
            Settings(),
            organisation,
            NewDestination("archive", "webdav", {"url": "http://127.0.0.1:9/old"}),
        )
    finally:
        db.dispose()
    sign_in(page, web)
    page.goto(f"{web.url}/meetings/{meeting}")
    form = page.locator("form.delivery-choice")
    expect(form.get_by_label("Destinations par défaut de l’organisation")).to_be_checked()
    form.get_by_label("Données de santé").check()
    form.get_by_label("Seulement celles-ci").check()
    form.get_by_label("nextcloud", exact=True).check()
    participants = form.get_by_label("Participants")
    participants.fill("Ana Martin <ana@acme.example>\nBob")
    form.get_by_role("button", name="Enregistrer").click()
    expect(form.locator(".error")).to_contain_text("'Bob' has no e-mail address")
    participants.fill("Ana Martin <ana@acme.example>\nbob@acme.example")
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#toast")).to_contain_text("Réglages d’envoi enregistrés")
    page.reload()
    expect(form.get_by_label("Données de santé")).to_be_checked()
    expect(form.get_by_label("Seulement celles-ci")).to_be_checked()
    expect(form.get_by_label("nextcloud", exact=True)).to_be_checked()
    expect(form.get_by_label("archive", exact=True)).not_to_be_checked()
    expect(participants).to_have_value("Ana Martin <ana@acme.example>\nbob@acme.example")
    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        with db.read() as session:
            stored = session.get(Meeting, meeting)
            assert stored is not None and stored.health_data is True
            assert stored.options["destinations"] == [str(cloud.id)]
            assert stored.options["participants"] == ["Ana Martin <ana@acme.example>", "bob@acme.example"]
    finally:
        db.dispose()
