"""The People page and "remember this voice" in Chromium (the fixtures of test_web.py): an admin
remembers a meeting's speaker (the consent box required), finds the person listed with the consent,
sees them named in another excerpt of the same meeting uploaded with identify, and forgets them."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

import test_web
from conftest import eval_file
from test_web import Web, sign_in

page = test_web.page  # the fixture of test_web.py (browser: conftest)
ENROL = "ami-debug-train/trn06.wav"  # FEE083 talks alone 22 s of its 30
OTHER = "ami-debug-train/trn09.wav"  # FEE083 again, another excerpt of the meeting


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    server = test_web._start(tmp_path_factory.mktemp("web-people"))
    try:
        yield server
    finally:
        server.service.stop()


def _transcribed(page: Page, web: Web, relative: str, **form: str) -> tuple[str, dict[str, Any]]:
    path = eval_file(relative)
    answer = page.request.post(
        f"{web.url}/api/meetings",
        multipart={"file": {"name": path.name, "mimeType": "audio/wav", "buffer": path.read_bytes()},
                   "language": "en", **form},
    )  # fmt: skip
    assert answer.status == 202, answer.text()
    meeting = answer.json()
    deadline = time.monotonic() + 600
    while (job := page.request.get(f"{web.url}/api/jobs/{meeting['job']['id']}").json())["state"] not in (
        "succeeded",
        "failed",
    ):
        assert time.monotonic() < deadline, job
        time.sleep(0.5)
    assert job["state"] == "succeeded", job["error"]
    return meeting["id"], page.request.get(f"{web.url}/api/meetings/{meeting['id']}/transcript").json()


def _prints(web: Web) -> int:
    with sqlite3.connect(web.data / "greffier.db") as connection:
        return connection.execute("SELECT count(*) FROM voiceprints").fetchone()[0]


def test_remember_a_voice_see_it_named_and_forget_it(page: Page, web: Web) -> None:
    sign_in(page, web)
    meeting_id, transcript = _transcribed(page, web, ENROL, diarize="true")
    seconds: dict[str, float] = {}
    for s in transcript["segments"]:
        seconds[s["speaker"]] = seconds.get(s["speaker"], 0) + s["end"] - s["start"]
    speaker = max(seconds, key=seconds.__getitem__)

    page.goto(f"{web.url}/meetings/{meeting_id}")
    row = page.locator(f".speakers li[data-speaker='{speaker}']")
    row.get_by_role("button", name=f"Retenir la voix de {speaker}").click()
    row.get_by_label("Nom de la personne").fill("Marie Dupont")
    row.get_by_label("Consentement explicite donné par").fill("dpo@acme.example")
    row.get_by_role("button", name="Enregistrer").click()  # the consent box unticked: not sent
    expect(row.get_by_label("Cette personne a donné son consentement explicite")).to_be_visible()
    assert _prints(web) == 0
    row.get_by_label("Cette personne a donné son consentement explicite").check()
    row.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#toast")).to_contain_text("Voix de « Marie Dupont » enregistrée")
    assert _prints(web) == 1

    page.get_by_role("navigation").get_by_role("link", name="Personnes").click()
    expect(page.get_by_role("heading", name="Personnes reconnues à leur voix")).to_be_visible()
    person = page.locator("li[data-person='Marie Dupont']")
    expect(person).to_contain_text("1 empreinte(s) vocale(s)")
    expect(person).to_contain_text("Consentement donné par dpo@acme.example")
    expect(person).to_contain_text(f"enregistré par {test_web.EMAIL}")

    other_id, named = _transcribed(page, web, OTHER, identify="true")
    [found] = [s for s in named["speakers"] if s.get("person_id")]
    page.goto(f"{web.url}/meetings/{other_id}")
    known = page.locator(f".speakers li[data-speaker='{found['id']}']")
    expect(known.locator(".name")).to_have_text("Marie Dupont")  # the name in place of the id
    expect(known.locator(".known")).to_contain_text("reconnu")
    expect(page.locator(".segment .speaker", has_text="Marie Dupont").first).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Personnes").click()
    person.get_by_role("button", name="Oublier Marie Dupont").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Toutes les empreintes vocales de « Marie Dupont » sont effacées")
    dialog.get_by_role("button", name="Oublier").click()
    expect(page.locator("#toast")).to_contain_text("« Marie Dupont » oubliée")
    expect(page.get_by_text("Personne n’est enregistré.")).to_be_visible()
    assert _prints(web) == 0
