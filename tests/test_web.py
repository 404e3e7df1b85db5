"""The web app in a real browser: Debian's Chromium driven by Playwright, against `greffier serve`
transcribing a real recording. Set GREFFIER_WEB_SCREENSHOTS=docs to refresh the screenshots in docs/ (docs/web.md)."""

from __future__ import annotations

import os
import re
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import srt
from playwright.sync_api import Browser, FileChooser, Page, expect

from conftest import eval_file
from greffier.audio import SAMPLE_RATE, to_pcm16
from servers import Service, seed_account, service_env

WEB_PORTS = range(18500, 18600)
RECORDING = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"  # 21 s, French: a story of a locked door
EMAIL, PASSWORD = "ana@acme.example", "correct horse battery"
SCREENSHOTS = os.environ.get("GREFFIER_WEB_SCREENSHOTS")
LAPTOP = {"width": 1280, "height": 860}
TABLET = {"width": 820, "height": 1180}
expect.set_options(timeout=20_000)  # two shared cores: pages are slower than on a laptop


@dataclass
class Web:
    service: Service
    data: Path

    @property
    def url(self) -> str:
        return self.service.url


def _start(data: Path, **settings: object) -> Web:
    seed_account(data, "acme", EMAIL, PASSWORD)
    return Web(Service(service_env(data, **settings), data / "serve.log", ports=WEB_PORTS).start(), data)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    server = _start(tmp_path_factory.mktemp("web"), max_upload_mb=2)
    try:
        yield server
    finally:
        server.service.stop()


def open_page(browser: Browser, **context: object) -> Iterator[Page]:
    """A French laptop-sized tab in a new browser context; fails the test on an uncaught page error."""
    ctx = browser.new_context(viewport=LAPTOP, locale="fr-FR", **context)
    tab = ctx.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    ctx.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def write_microphone(samples: np.ndarray, path: Path) -> Path:
    """Samples (16 kHz float) as the 16-bit PCM WAV that Chromium's fake microphone plays."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(to_pcm16(samples))
    return path


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, accept_downloads=True)


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"web-{name}.png"), full_page=True)


def sign_in(page: Page, web: Web, path: str = "/") -> None:
    page.goto(web.url + path)
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Réunions", exact=True)).to_be_visible()


def audio_time(page: Page) -> float:
    return page.evaluate("document.querySelector('audio').currentTime")


def test_sign_in_language_and_sign_out(page: Page, web: Web) -> None:
    page.goto(web.url + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    screenshot(page, "sign-in")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("E-mail, mot de passe ou jeton incorrect.")
    page.get_by_role("button", name="Utiliser un jeton d’API").click()
    token = seed_token(web)
    page.get_by_label("Jeton d’API").fill(token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Réunions", exact=True)).to_be_visible()

    page.get_by_role("button", name="English").click()  # switched in place, kept across visits
    expect(page.get_by_role("heading", name="Meetings", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_text("Drop one or more recordings here")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.request.get(web.url + "/api/meetings").status == 401, "the cookie no longer works"
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()


def seed_token(web: Web) -> str:
    from greffier.store import accounts
    from greffier.store.db import Database

    db = Database(f"sqlite:///{web.data / 'greffier.db'}")
    try:
        return accounts.create_token(db, EMAIL, "browser test")
    finally:
        db.dispose()


def test_a_meeting_from_upload_to_deletion(page: Page, web: Web) -> None:
    sign_in(page, web)
    # -- upload with options; the upload and then the job are followed live ---------------------------
    page.evaluate(
        """() => {
            window.seen = [];
            new MutationObserver(() => {
              for (const s of document.querySelectorAll('.upload .state')) window.seen.push(s.textContent);
            }).observe(document.querySelector('.uploads'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    page.get_by_label("Langue parlée").select_option("fr")
    page.get_by_label("Reconnaître les intervenants").check()
    page.locator("#files").set_input_files(eval_file(RECORDING))
    upload = page.locator(".upload").first
    expect(upload).to_have_class(re.compile(r"\bdone\b"), timeout=240_000)
    seen = page.evaluate("window.seen")
    assert any(re.fullmatch(r"Envoi… \d+ %", s) for s in seen), seen
    # the stages as the job goes through them, e.g. "Lecture de l’audio – 5 %", "Détection de la parole – 10 %"
    running = [
        (m[1], int(m[2])) for s in seen if (m := re.fullmatch(r"(.+) – (\d+) %", s)) and m[1] != "Envoi…"
    ]
    assert len({stage for stage, _ in running}) >= 2, f"the job's stages were shown live: {seen}"
    assert [p for _, p in running] == sorted(p for _, p in running) and running[0][1] < 100
    expect(upload.locator(".state")).to_have_text("Prête")
    screenshot(page, "meetings")

    # -- search by text, then open ---------------------------------------------------------------------
    row = page.locator("tbody tr", has_text="F_F_B003-P8")
    expect(row.locator(".badge")).to_have_text("Prête")
    search = page.get_by_label("Rechercher (titre ou texte)")
    search.fill("PORTE entree")  # words of the transcript, any case, any accents
    expect(page.locator("tbody tr")).to_have_count(1)
    search.fill("zèbre")
    expect(page.get_by_text("Aucune réunion ne correspond.")).to_be_visible()
    search.fill("")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}$"))
    meeting_url = page.url.replace(web.url, "")
    transcript = page.request.get(f"{web.url}/api{meeting_url}/transcript").json()
    words = [word for segment in transcript["segments"] for word in segment["words"]]
    expect(page.locator(".segment")).to_have_count(len(transcript["segments"]))
    shown = page.locator(".segments").inner_text()
    assert "porte" in transcript["text"] and all(s["text"] in shown for s in transcript["segments"])

    # -- the player follows the transcript; words seek; keys and speed -------------------------------
    page.locator(".w").nth(6).click()
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('audio').currentTime - t) < 0.05", arg=words[6]["start"]
    )
    expect(page.locator(".w").nth(6)).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("ArrowRight")
    assert audio_time(page) == pytest.approx(words[6]["start"] + 5, abs=0.05)
    page.keyboard.press("j")
    assert audio_time(page) == pytest.approx(words[6]["start"], abs=0.05)
    page.get_by_label("Vitesse").select_option("1.5")
    assert page.evaluate("document.querySelector('audio').playbackRate") == 1.5
    page.locator(".segment").nth(1).focus()  # out of the speed list, where Space belongs to the list
    page.keyboard.press(" ")
    page.wait_for_function(
        "(t) => !document.querySelector('audio').paused && document.querySelector('audio').currentTime > t",
        arg=words[6]["start"] + 0.3,
    )
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('audio').paused")
    page.locator(".segment").nth(1).locator(".seg-time").click()
    assert audio_time(page) == pytest.approx(transcript["segments"][1]["start"], abs=0.05)

    # -- rename a speaker: shown everywhere, kept after a reload ---------------------------------------
    speakers = page.locator(".speakers li")
    assert speakers.count() >= 1, "diarization found the speakers"
    first_id = speakers.first.get_attribute("data-speaker")
    speakers.first.get_by_role("button", name=re.compile("^Renommer")).click()
    page.get_by_label("Nom de l’intervenant").fill("Claire")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Enregistré : version 2")
    page.reload()
    expect(page.locator(f'.speakers li[data-speaker="{first_id}"] .name')).to_have_text("Claire")
    said = sum(1 for s in transcript["segments"] if s["speaker"] == first_id)
    expect(page.locator(".segment .speaker", has_text="Claire")).to_have_count(said)
    expect(page.locator(".lane-name").first).to_have_text("Claire")

    # -- correct a word: a new version, the new word keeps the old one's time ---------------------------
    segment = page.locator(".segment").first
    segment.hover()
    segment.get_by_role("button", name="Corriger").click()
    box = segment.get_by_label("Texte du passage")
    old_words = box.input_value().split()
    box.fill(" ".join([old_words[0], "matin,", *old_words[2:]]))
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_have_text("Enregistré : version 3")
    expect(segment.locator(".text")).to_contain_text(f"{old_words[0]} matin,")
    expect(page.locator(".versions li.latest")).to_contain_text("v3")
    expect(page.locator(".versions li")).to_have_count(3)
    segment.locator(".w", has_text="matin,").click()
    assert audio_time(page) == pytest.approx(words[1]["start"], abs=0.05)
    screenshot(page, "meeting")

    # -- restore version 2 (before the correction); it becomes version 4 -----------------------------
    page.locator('.versions li[data-version="2"]').get_by_role("button", name="Restaurer").click()
    page.get_by_role("dialog").get_by_role("button", name="Restaurer").click()
    expect(page.locator(".versions li.latest")).to_contain_text("v4")
    expect(segment.locator(".text")).not_to_contain_text("matin,")
    expect(page.locator(".speakers .name").first).to_have_text("Claire")

    # -- download the subtitles ------------------------------------------------------------------------
    page.get_by_text("Télécharger").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="SRT (sous-titres)").click()
    assert download.value.suggested_filename == "F_F_B003-P8.srt"
    cues = list(srt.parse(Path(download.value.path()).read_text(encoding="utf-8")))
    assert [cue.start.total_seconds() for cue in cues] == pytest.approx(
        [s["start"] for s in transcript["segments"]], abs=0.01
    )
    assert any(cue.content.startswith("[Claire]") for cue in cues), cues[0].content

    # -- a tablet: nothing wider than the screen -----------------------------------------------------
    page.set_viewport_size(TABLET)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "meeting-tablet")
    page.set_viewport_size(LAPTOP)

    # -- delete, after confirming ---------------------------------------------------------------------
    page.get_by_role("button", name="Supprimer", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("« F_F_B003-P8 » sera effacée partout")
    dialog.get_by_role("button", name="Supprimer définitivement").click()
    expect(page).to_have_url(web.url + "/")
    expect(page.get_by_role("status")).to_have_text("« F_F_B003-P8 » a été supprimée.")
    expect(page.locator("tbody tr", has_text="F_F_B003-P8")).to_have_count(0)
    assert page.request.get(f"{web.url}/api{meeting_url}").status == 404


def _overlapping(segments: list[dict], start: float, end: float) -> set[str]:
    return {str(s["id"]) for s in segments if s["end"] > start and s["start"] < end}


def test_minutes_and_questions_with_their_evidence(page: Page, web: Web) -> None:
    """The real model writes the minutes in a job followed live; evidence links seek and highlight."""
    sign_in(page, web)
    page.get_by_label("Langue parlée").select_option("fr")
    page.locator("#files").set_input_files(eval_file(RECORDING))
    upload = page.locator(".upload").first
    expect(upload).to_have_class(re.compile(r"\bdone\b"), timeout=240_000)
    upload.get_by_role("link", name="Ouvrir").click()
    expect(page).to_have_url(re.compile(r"/meetings/[0-9a-f-]{36}$"))
    api = f"{web.url}/api{page.url.replace(web.url, '')}"
    segments = page.request.get(f"{api}/transcript").json()["segments"]
    panel = page.locator("section.minutes")
    expect(panel.get_by_role("heading", name="Compte rendu")).to_be_visible()

    # -- write the minutes: the job's progress shows, then the minutes ---------------------------------
    panel.get_by_role("button", name="Rédiger le compte rendu").click()
    expect(panel.locator("#minutes-job")).to_be_visible()
    expect(panel.locator(".made-from")).to_contain_text(
        "Rédigé à partir de la version 1 de la transcription", timeout=900_000
    )
    body = page.request.get(f"{api}/minutes").json()
    minutes = body["minutes"]
    g = minutes["grounding"]
    # the small model does not always propose a decision, action or question on this short meeting
    expect(panel.locator(".grounding")).to_contain_text(
        f"{g['kept']} élément(s) gardé(s) sur {g['proposed']} proposé(s) ; {len(g['rejected'])} écarté(s)"
        if g["proposed"]
        else "Aucun élément proposé par un modèle n’a été vérifié."
    )
    expect(panel.locator(".summary")).to_have_text(minutes["summary"])
    expect(panel.locator(".minutes-part").first.locator("li")).to_have_count(len(minutes["topics"]))

    # -- an evidence link seeks the audio to its span and highlights the span's segments ------------------
    links = panel.locator(".minutes-body .evidence-link")
    assert links.count() >= len(minutes["topics"]) >= 1
    last = links.nth(links.count() - 1)
    start, end = float(last.get_attribute("data-start")), float(last.get_attribute("data-end"))
    last.click()
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('audio').currentTime - t) < 0.05", arg=start
    )
    expect(page.locator(".segment.evidence").first).to_be_visible()
    lit = {el.get_attribute("data-id") for el in page.locator(".segment.evidence").all()}
    assert lit == _overlapping(segments, start, end), (lit, start, end)
    first = links.first  # and with the keyboard
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('audio').currentTime - t) < 0.05",
        arg=float(first.get_attribute("data-start")),
    )
    with page.expect_download() as download:
        panel.get_by_role("link", name="Markdown").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith(f"# {minutes['title']}")

    # -- a question: the answer, with a link to where it was said -------------------------------------
    page.get_by_label("Votre question sur la réunion").fill("Qu'est-ce qui a claqué derrière lui ?")
    page.keyboard.press("Enter")
    answer = panel.locator(".question .answer")
    expect(answer).to_be_visible(timeout=600_000)
    question = page.request.get(f"{api}/questions").json()[0]
    assert question["answer"]["found"], question
    expect(answer).to_contain_text(question["answer"]["answer"])
    span = question["answer"]["spans"][0]
    answer.locator(".evidence-link").first.click()
    page.wait_for_function(
        "(t) => Math.abs(document.querySelector('audio').currentTime - t) < 0.05", arg=span["start"]
    )
    lit = {el.get_attribute("data-id") for el in page.locator(".segment.evidence").all()}
    assert lit == _overlapping(segments, span["start"], span["end"])
    screenshot(page, "minutes")

    # -- kept with the meeting; English in place; the RTTM is among the downloads ------------------------
    said = answer.inner_text()
    page.reload()
    expect(panel.locator(".question .answer")).to_have_text(said)
    page.get_by_role("button", name="English").click()
    expect(panel.get_by_role("heading", name="Minutes", exact=True)).to_be_visible()
    expect(panel.locator(".made-from")).to_contain_text("Written from version 1 of the transcript")
    page.get_by_role("button", name="Français").click()
    page.locator("summary", has_text="Télécharger").click()
    expect(page.get_by_role("link", name="RTTM (tours de parole)")).to_be_visible()
    page.set_viewport_size(TABLET)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size(LAPTOP)


def test_upload_errors_are_explained(page: Page, web: Web, tmp_path: Path) -> None:
    not_audio = tmp_path / "notes.wav"
    not_audio.write_text("Ordre du jour : budget, cantine.\n" * 40)
    empty = tmp_path / "vide.mp3"
    empty.write_bytes(b"")
    large = tmp_path / "long.wav"
    large.write_bytes(b"\0" * (3 * 1024 * 1024))  # the server takes 2 MiB
    sign_in(page, web)
    page.locator("#files").set_input_files([not_audio, empty, large])
    failed = page.locator(".upload.failed")
    expect(failed).to_have_count(3)
    expect(failed.filter(has_text="long.wav")).to_contain_text("trop volumineux (maximum 2 Mo)")
    expect(failed.filter(has_text="vide.mp3")).to_contain_text("Ce fichier est vide")
    refused = failed.filter(has_text="notes.wav")
    expect(refused).to_contain_text("n’est pas un enregistrement audio ou vidéo lisible")
    expect(refused.locator(".detail")).to_contain_text("'notes.wav'")  # the server's reason and fix


def test_keyboard_alone_reaches_the_upload(page: Page, web: Web) -> None:
    choosers: list[FileChooser] = []
    page.on(
        "filechooser", lambda chooser: choosers.append(chooser)
    )  # intercepted from now on (not only once Enter is pressed)
    page.goto(web.url + "/")
    page.get_by_label("Adresse e-mail").focus()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nouvelle réunion")).to_be_visible()
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.className || document.activeElement.tagName"))
        if reached[-1] == "dropzone":
            break
    assert reached[-1] == "dropzone", reached
    page.keyboard.press("Enter")
    if not choosers:
        page.wait_for_event("filechooser")
    assert choosers[0].is_multiple()


def test_a_failed_job_and_an_unreachable_server_are_explained(
    page: Page, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A server whose speech model is missing: the job fails and says why; then the server stops."""
    missing = tmp_path_factory.mktemp("no-model") / "whisper-large"
    broken = _start(tmp_path_factory.mktemp("broken"), asr_model=missing)
    try:
        sign_in(page, broken)
        page.locator("#files").set_input_files(eval_file(RECORDING))
        failed = page.locator(".upload.failed")
        expect(failed).to_contain_text("La transcription a échoué :", timeout=60_000)
        expect(failed.locator(".detail")).to_contain_text(missing.name)  # its name, not the server path
        failed.get_by_role("link", name="Ouvrir").click()
        expect(page.get_by_role("heading", name="La transcription a échoué")).to_be_visible()
        expect(page.locator(".job .detail")).to_contain_text(missing.name)
    finally:
        broken.service.stop()
    page.get_by_role("link", name="← Toutes les réunions").click()
    expect(page.locator("#offline")).to_be_visible()
    expect(page.locator("#offline")).to_contain_text("Le serveur Greffier ne répond pas")
