"""`make demo` as a new user judges it: the French demo meeting transcribed, diarized, named and minuted.

One run of the demo command (the packaged Whisper, CAM++ and the 1.5B minutes model, on CPU: a few
minutes) is shared by the tests. The bounds come from runs on this machine (figures in
docs/benchmarks.md#the-demo-meeting).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import docx
import pytest
import srt

from bench.common.demo_meeting import AUDIO, read_script
from bench.common.text import wer
from greffier.transcript import Transcript
from tests.conftest import ROOT, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]
"""The demo took 30 min on 2 cores shared with other work (7.7 min of CPU), over the suite's 900 s."""

SCRIPT = read_script()
PEOPLE = list(dict.fromkeys(line.speaker for line in SCRIPT))
"""The speakers in the order they first speak, as `--speaker-names` takes them."""
MAX_WER = 0.16
"""Measured 0.108 (whisper-base on the synthetic room recording)."""
DECISIONS = {
    "opening postponed to 19 September": r"19 septembre|dix-neuf septembre",
    "free software for the loans": r"logiciel libre",
}
ACTIONS = {
    "Julien Moreau": r"poste",
    "Sophie Bernard": r"communiqu|affiche",
    "Karim Haddad": r"contrat|h[ée]bergement",
    "Claire Martin": r"visite|chantier|élus",
}
MIN_ACTIONS = 4
"""Of the script's four action items, those the minutes hold with their owner: measured 4 with the
focused pass (owner from the speaker; 2 before it, when the 1.5B model read the whole meeting)."""
OPEN_QUESTION = r"inauguration"
"""The script's open question (inauguration on the opening day or a week later): measured, the only one."""


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    result = run_cli(
        "transcribe", str(AUDIO), "--language", "fr", "--diarize", "--diarizer", "windowed",
        "--speaker-names", ",".join(PEOPLE),
        "--minutes", "--output-dir", str(folder), "--output-format", "json,srt,txt,md,docx", "-q",
        timeout=3600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="module")
def transcript(out: Path) -> Transcript:
    return Transcript.load(out / "demo_meeting.json")


@pytest.fixture(scope="module")
def minutes(out: Path) -> dict:
    return json.loads((out / "demo_meeting.minutes.json").read_text(encoding="utf-8"))


def test_the_makefile_names_the_scripts_people_in_order():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^DEMO_NAMES := (.+)$", makefile, re.M)[1].split(",") == PEOPLE
    assert "samples/demo_meeting.mp3" in makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]


def test_the_words_are_the_scripts(transcript: Transcript):
    assert transcript.language == "fr"
    assert wer(" ".join(line.text for line in SCRIPT), transcript.text) <= MAX_WER


def test_four_speakers_each_named_where_they_introduce_themselves(transcript: Transcript):
    assert sorted(s.name for s in transcript.speakers) == sorted(PEOPLE)
    names = {s.id: s.name for s in transcript.speakers}
    for person in PEOPLE:
        first_name = person.split()[0]
        intro = next(s for s in transcript.segments if re.search(rf"je suis {first_name}", s.text, re.I))
        assert names[intro.speaker] == person, intro.text


def test_srt_and_docx_show_the_names(out: Path, transcript: Transcript):
    cues = list(srt.parse((out / "demo_meeting.srt").read_text(encoding="utf-8")))
    assert len(cues) == len(transcript.segments)
    assert {re.match(r"\[(.+?)\]: ", c.content)[1] for c in cues} == set(PEOPLE)
    paragraphs = "\n".join(p.text for p in docx.Document(str(out / "demo_meeting.docx")).paragraphs)
    assert all(person in paragraphs for person in PEOPLE)


def test_the_minutes_hold_the_decisions_with_their_evidence(minutes: dict, transcript: Transcript):
    text = _fold(transcript.text)
    found = []
    for name, pattern in DECISIONS.items():
        matching = [
            d for d in minutes["decisions"] if re.search(pattern, _fold(d["text"] + " " + d["quote"]))
        ]
        if matching:
            found.append(name)
            assert all(d["spans"] and _fold(d["quote"]) in text for d in matching)
    assert found == list(DECISIONS)


def test_the_minutes_hold_the_action_items_with_owners(minutes: dict, transcript: Transcript):
    text = _fold(transcript.text)
    held = [
        owner
        for owner, pattern in ACTIONS.items()
        if any(
            item["owner"] == owner and re.search(pattern, _fold(item["task"] + " " + item["quote"]))
            for item in minutes["action_items"]
        )
    ]
    assert len(held) >= MIN_ACTIONS, (held, minutes["action_items"])
    assert all(item["spans"] and _fold(item["quote"]) in text for item in minutes["action_items"])
    assert all(item["owner"] in PEOPLE for item in minutes["action_items"] if item["owner"])


def test_the_minutes_hold_the_open_question_and_no_task_as_a_decision(minutes: dict):
    assert [
        re.search(OPEN_QUESTION, _fold(q["text"] + " " + q["quote"])) is not None
        for q in minutes["open_questions"]
    ] == [True]
    assert not any(
        re.search(pattern, _fold(d["text"])) for d in minutes["decisions"] for pattern in ACTIONS.values()
    ), minutes["decisions"]
