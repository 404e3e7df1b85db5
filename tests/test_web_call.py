"""The regulator page in Debian's Chromium (Playwright): a call from a fake microphone that plays a
real French recording, streamed as WebM to `/ws/call` by MediaRecorder; the form fills in with the
evidence of each value; then the saved call's form, its export, and the evidence seeking the audio.
Set GREFFIER_WEB_SCREENSHOTS=docs to refresh docs/web-call.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from greffier.audio import SAMPLE_RATE, load_audio
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, eval_file
from tests.test_calls_live import STREET
from tests.test_web import (
    Web,
    _start,
    open_page,
    screenshot,
    sign_in,
    write_microphone,
)

LEAD_IN_S = 1.0  # silence before the speech: the recorder starts a moment after the microphone


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The recording as the 16-bit PCM WAV Chromium's fake microphone plays."""
    samples = np.concatenate([np.zeros(round(LEAD_IN_S * SAMPLE_RATE)), load_audio(eval_file(STREET))])
    return write_microphone(samples, tmp_path_factory.mktemp("mic") / "call.wav")


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    server = _start(tmp_path_factory.mktemp("web-call"))
    try:
        yield server
    finally:
        server.service.stop()


@pytest.fixture(scope="module")
def browser(microphone: Path) -> Iterator[Browser]:
    fake_microphone = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}%noloop",
    ]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *fake_microphone]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, web: Web) -> Iterator[Page]:
    yield from open_page(browser, accept_downloads=True, permissions=["microphone"])


def test_a_call_from_the_microphone_fills_the_form_with_evidence(page: Page, web: Web) -> None:
    sign_in(page, web)
    page.get_by_role("link", name="Appels").click()
    expect(page.get_by_role("heading", name="Appel d’urgence")).to_be_visible()
    expect(page.get_by_text("Suggestion — le médecin régulateur décide.")).to_be_hidden()  # no form yet
    page.evaluate(
        """() => {
            window.lit = [];
            new MutationObserver(() => {
              for (const f of document.querySelectorAll('.cf-field.changed')) window.lit.push(f.dataset.key);
            }).observe(document.querySelector('.cf-layout'), {subtree: true, childList: true, attributes: true});
        }"""
    )
    page.get_by_role("button", name="Démarrer l’appel (microphone)").click()
    expect(page.get_by_role("status")).to_have_text("À l’écoute – parlez normalement.")

    # -- the place is filled from the words "dans la rue", shown with them, lit when it changes ----------
    kind = page.locator('.cf-field[data-key="location.kind"]')
    expect(kind.locator(".cf-value")).to_have_text("voie publique", timeout=240_000)
    assert "location.kind" in page.evaluate("window.lit")
    evidence = kind.locator(".cf-evidence")
    expect(evidence).to_contain_text("rue")
    expect(page.locator(".cf-seg").first).to_be_visible()
    evidence.click()
    expect(page.locator(".cf-seg.evidence")).to_have_count(1)
    quote = re.search(r"« (.+) »", evidence.inner_text())[1]
    expect(page.locator(".cf-seg.evidence .cf-text")).to_contain_text(quote, ignore_case=True)
    expect(page.get_by_text("Suggestion — le médecin régulateur décide.")).to_be_visible()
    expect(page.locator(".cf-flags")).not_to_have_class(re.compile(r"\braised\b"))  # none said, none shown
    expect(page.locator(".cf-flags")).to_contain_text("Aucun signe de gravité relevé")
    # guidance: the next questions for the critical fields still missing (no address, no number heard)
    expect(page.locator(".cf-next")).to_contain_text("Quel est votre numéro pour vous rappeler ?")
    expect(page.locator(".cf-next")).to_contain_text("Quelle est l'adresse exacte")
    expect(page.locator(".cf-cpr")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "call")

    # -- end the call: saved as a meeting with its form, exported as RS-EDA-like JSON ---------------------
    page.wait_for_timeout(1000 * 4)  # the rest of the story ("… ma propre porte")
    page.get_by_role("button", name="Terminer l’appel").click()
    expect(page.locator(".cf-result")).to_contain_text("Enregistré comme réunion", timeout=120_000)
    export = page.get_by_role("link", name="Exporter le dossier (JSON RS-EDA)")
    case = page.request.get(web.url + export.get_attribute("href")).json()
    assert case["location"]["locationKind"]["code"] == "street"
    assert case["regulation"]["disclaimer"].endswith("le médecin régulateur décide.")

    # -- the saved call's form: the evidence seeks the recording ----------------------------------------
    page.locator(".cf-result").get_by_role("link", name="Dossier", exact=True).click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}/call$"))
    kind = page.locator('.cf-field[data-key="location.kind"]')
    expect(kind.locator(".cf-value")).to_have_text("voie publique")
    start = float(kind.locator(".cf-evidence").get_attribute("data-start"))
    kind.locator(".cf-evidence").click()
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('audio').currentTime - t) < 0.05", arg=start
    )
    expect(page.locator(".cf-seg.evidence")).to_contain_text(quote, ignore_case=True)
    page.get_by_role("button", name="English").click()  # switched in place
    expect(kind.locator(".cf-value")).to_have_text("street")
    expect(page.get_by_text("Suggestion — the regulator decides.")).to_be_visible()
