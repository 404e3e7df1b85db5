"""The Live page in a real Chromium whose microphone is a real recording: Chromium's fake capture
device reads a 16-bit WAV (converted here from an eval file) and loops it, so the test stops after
the file's duration. Against `greffier serve` with one live stream at most (to see a busy server)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from websockets.sync.client import connect

from bench.common.references import french
from bench.common.text import wer
from greffier.audio import SAMPLE_RATE, load_audio
from servers import Service, seed_account, service_env
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, eval_file
from tests.test_live import SHORT, pcm_frames
from tests.test_web import (
    EMAIL,
    PASSWORD,
    WEB_PORTS,
    Web,
    open_page,
    screenshot,
    sign_in,
    write_microphone,
)

RECORDING = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"  # 21 s, one speaker, French
PAD_S = 1.0
"""Silence around the speech in the fake microphone's file, so that its loop restarts in silence."""


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """The recording as the 16-bit mono WAV Chromium's fake microphone reads; and its duration."""
    samples = load_audio(eval_file(RECORDING))
    pad = np.zeros(round(PAD_S * SAMPLE_RATE), np.float32)
    samples = np.concatenate([pad, samples, pad])
    path = write_microphone(samples, tmp_path_factory.mktemp("microphone") / "microphone.wav")
    return path, len(samples) / SAMPLE_RATE


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Web, str]]:
    data = tmp_path_factory.mktemp("web-live")
    token = seed_account(data, "acme", EMAIL, PASSWORD)
    service = Service(service_env(data, live_max_streams=1), data / "serve.log", ports=WEB_PORTS).start()
    try:
        yield Web(service, data), token
    finally:
        service.stop()


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


def _browser(playwright: Playwright, microphone: Path | None) -> Iterator[Browser]:
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream"]
    if microphone is not None:  # the permission prompt answered yes; without it, the page is refused
        args += ["--use-fake-ui-for-media-stream", f"--use-file-for-fake-audio-capture={microphone}"]
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def browser(playwright: Playwright, microphone: tuple[Path, float]) -> Iterator[Browser]:
    yield from _browser(playwright, microphone[0])


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, permissions=["microphone"])


def open_live(page: Page, web: Web) -> None:
    sign_in(page, web)
    page.get_by_role("link", name="En direct", exact=True).click()  # not "Essai en direct"
    expect(page).to_have_url(web.url + "/live")
    expect(page.get_by_role("heading", name="Transcription en direct")).to_be_visible()


def test_a_busy_server_is_explained(page: Page, web: tuple[Web, str]) -> None:
    server, token = web
    url = f"ws://127.0.0.1:{server.service.port}/ws/stream?language=fr&save=false"
    with connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=120) as other:
        for frame in pcm_frames(SHORT):  # the one stream the server takes, open until it ends
            other.send(frame)
        json.loads(other.recv(timeout=300))  # it is being recognised
        open_live(page, server)
        page.get_by_role("button", name="Démarrer").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "Le serveur transcrit déjà autant de séances", timeout=60_000
        )
        expect(page.get_by_role("button", name="Démarrer")).to_be_enabled()
        other.send('{"type": "end"}')
        while json.loads(other.recv(timeout=300))["type"] != "end":  # its slot is free again after this
            pass


def test_live_page_from_microphone_to_saved_meeting(page: Page, web: tuple[Web, str], microphone) -> None:
    server, _ = web
    _, duration = microphone
    open_live(page, server)
    # Everything the page shows, in order: each partial (with its colour) and each final.
    page.evaluate(
        """() => {
            window.shown = [];
            const partial = document.querySelector('.partial');
            new MutationObserver(() => {
              if (partial.textContent) window.shown.push(['partial', getComputedStyle(partial).color]);
            }).observe(partial, {childList: true, characterData: true, subtree: true});
            new MutationObserver((changes) => {
              for (const c of changes) for (const n of c.addedNodes) window.shown.push(['final', n.textContent]);
            }).observe(document.querySelector('.live-finals'), {childList: true});
        }"""
    )
    page.get_by_label("Titre").fill("Essai en direct")
    page.get_by_label("Langue parlée").select_option("fr")
    page.get_by_role("button", name="Démarrer").click()
    state = page.get_by_role("status").filter(has_text="À l’écoute")
    expect(state).to_be_visible(timeout=30_000)
    listening = time.monotonic()
    expect(page.get_by_role("button", name="Arrêter")).to_be_focused()  # the keyboard is where it matters
    expect(page.locator(".final").first).to_be_visible(
        timeout=int(duration * 1000)
    )  # finals come while speaking
    page.wait_for_timeout(max(0.0, duration - (time.monotonic() - listening)) * 1000)
    screenshot(page, "live")
    page.keyboard.press("Enter")  # the focused Stop button
    expect(page.get_by_role("status")).to_contain_text("Terminé", timeout=180_000)

    finals = page.locator(".final")
    texts = [finals.nth(i).locator(".text").inner_text() for i in range(finals.count())]
    reference = next(r for r in french() if r.audio == eval_file(RECORDING))
    error = wer(reference.text, " ".join(texts))
    # Measured: 0.09 with PCM from the file (tests/test_live.py); through the browser's Opus the same.
    assert error <= 0.2, f"WER {error:.3f}: {texts}"
    shown = page.evaluate("window.shown")
    kinds = [kind for kind, _ in shown]
    assert "partial" in kinds and kinds.index("partial") < kinds.index("final"), "partials come first"
    final_colour = page.locator(".final .text").first.evaluate("e => getComputedStyle(e).color")
    muted = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--muted')")
    partial_colours = {colour for kind, colour in shown if kind == "partial"}
    assert partial_colours == {_rgb(muted)} and final_colour != _rgb(muted), (partial_colours, final_colour)
    assert re.fullmatch(r"\d+:\d\d", finals.first.locator(".seg-time").inner_text())
    labels = {finals.nth(i).locator(".speaker").inner_text() for i in range(finals.count())}
    assert labels == {"SPEAKER_00"}, "one speaker, shown on every final"

    page.get_by_role("link", name="Ouvrir la réunion enregistrée").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", name="Essai en direct")).to_be_visible()
    expect(page.locator(".segment")).to_have_count(len(texts))
    assert page.locator(".segments").inner_text().count("SPEAKER_00") == len(texts)
    assert all(text in page.locator(".segments").inner_text() for text in texts)
    expect(page.locator(".speakers li")).to_have_count(1)


def test_a_refused_microphone_is_explained(playwright: Playwright, web: tuple[Web, str]) -> None:
    server, _ = web
    for browser in _browser(playwright, None):
        for page in open_page(browser):
            open_live(page, server)
            page.get_by_role("button", name="Démarrer").click()
            expect(page.get_by_role("alert")).to_contain_text("L’accès au micro a été refusé")
            expect(page.get_by_role("button", name="Démarrer")).to_be_focused()


def _rgb(hex_colour: str) -> str:
    """'#5b6474' -> 'rgb(91, 100, 116)', as getComputedStyle writes colours."""
    value = hex_colour.strip().lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))
