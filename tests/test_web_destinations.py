"""The Destinations page in Chromium (the fixtures of test_web.py): an admin adds a destination (a bad
setting is explained), sees it listed without its secret, and removes it; a member gets no such page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

import test_web
from greffier.delivery.secrets import new_key
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.models import Destination
from test_web import Web, open_page, sign_in

page = test_web.page  # the fixture of test_web.py (browser: conftest)
SECRET = "hmac-signing-key-never-shown"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    server = test_web._start(tmp_path_factory.mktemp("web"), delivery_key=new_key())
    try:
        yield server
    finally:
        server.service.stop()


def _destinations(web: Web) -> list[Destination]:
    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        with db.read() as session:
            return list(session.scalars(select(Destination)))
    finally:
        db.dispose()


def test_an_admin_adds_and_removes_a_destination(page: Page, web: Web) -> None:
    sign_in(page, web)
    page.get_by_role("navigation").get_by_role("link", name="Destinations").click()
    expect(page.get_by_role("heading", name="Destinations", level=1)).to_be_visible()
    expect(page.get_by_text("Aucune destination")).to_be_visible()

    page.get_by_label("Nom").fill("crm")
    page.get_by_label("Type").select_option("webhook")
    page.get_by_label("URL").fill("ftp://crm.acme.example/hook")
    page.get_by_label("Clé de signature (HMAC)").fill(SECRET)
    page.get_by_label("Par défaut : reçoit toutes les réunions").check()
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("is not an http(s) URL: write it as https://host/path")
    assert _destinations(web) == []

    page.get_by_label("URL").fill("https://crm.acme.example/hook")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#toast")).to_contain_text("Destination « crm » ajoutée")
    item = page.locator("li[data-destination='crm']")
    expect(item.locator(".badge")).to_have_text("Webhook")
    expect(item).to_contain_text("par défaut")
    expect(item).to_contain_text("secret enregistré")
    expect(item).to_contain_text("https://crm.acme.example/hook")
    assert SECRET not in page.content()
    [stored] = _destinations(web)
    assert stored.is_default and stored.config["url"] == "https://crm.acme.example/hook"
    assert stored.secret and SECRET not in stored.secret  # sealed with the delivery key

    page.reload()
    item.get_by_role("button", name="Retirer crm").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("« crm » ne recevra plus rien")
    dialog.get_by_role("button", name="Retirer").click()
    expect(page.locator("#toast")).to_contain_text("Destination « crm » retirée")
    expect(page.get_by_text("Aucune destination")).to_be_visible()
    assert _destinations(web) == []


def test_a_member_has_no_destinations_page(browser: Browser, web: Web) -> None:
    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        accounts.create_user(db, "bob@acme.example", "acme")
        accounts.set_password(db, "bob@acme.example", "another long password")
    finally:
        db.dispose()
    for tab in open_page(browser):
        tab.goto(web.url + "/")
        tab.get_by_label("Adresse e-mail").fill("bob@acme.example")
        tab.get_by_label("Mot de passe").fill("another long password")
        tab.get_by_role("button", name="Se connecter").click()
        expect(tab.get_by_role("heading", name="Réunions", exact=True)).to_be_visible()
        expect(tab.get_by_role("navigation").get_by_role("link", name="Appels")).to_be_visible()
        expect(tab.get_by_role("navigation").get_by_role("link", name="Destinations")).to_have_count(0)
        tab.goto(web.url + "/destinations")
        expect(tab.get_by_text("Seuls les administrateurs de l’organisation")).to_be_visible()
        expect(tab.get_by_role("heading", name="Ajouter une destination")).to_have_count(0)
