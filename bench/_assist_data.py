"""Readers for the evaluation corpora used by the meeting assistant (bench/assist.py and its tests).

- Simsamu (French simulated emergency calls): `greffier.calls.simsamu.load_simsamu`, one segment
  per speaker turn with real word times.
- ELITR minuting (English project meetings): text with `(PERSONx)` turns and no times -> a
  `Transcript` with synthetic times proportional to words (150 words per minute), one segment per
  turn, long turns cut at line ends; the human minutes' "[PERSONx] will …" lines as action items.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from greffier.calls.simsamu import load_simsamu
from greffier.transcript import Segment, Speaker, Transcript

EVAL = Path(
    os.environ.get("GREFFIER_EVAL_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "eval")
)
SIMSAMU = EVAL / "simsamu-text"
ELITR = EVAL / "elitr-minuting"
WORDS_PER_MINUTE = 150
MIN_SEGMENT_WORDS = 8
MAX_SEGMENT_WORDS = 20


# -- Simsamu -----------------------------------------------------------------------------------
def simsamu_calls() -> list[str]:
    return sorted(p.name for p in SIMSAMU.glob("dj_*") if (p / f"{p.name}.json").is_file())


def simsamu_transcript(name: str) -> Transcript:
    return load_simsamu(SIMSAMU / name / f"{name}.json")


# -- ELITR -------------------------------------------------------------------------------------
_TURN = re.compile(r"^\((PERSON\d+)\)\s*(.*)$")
_TAG = re.compile(r"<[^>]*>")


def elitr_meetings() -> list[str]:
    return sorted(p.name for p in (ELITR / "dev").glob("meeting_en_dev_*") if p.is_dir())


def elitr_transcript(meeting: str) -> Transcript:
    path = next((ELITR / "dev" / meeting).glob("transcript_*.txt"))
    turns: list[tuple[str | None, list[str]]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _TURN.match(raw.strip())
        line = _TAG.sub(" ", match.group(2) if match else raw).strip()
        if match or not turns:
            turns.append((match.group(1) if match else None, []))
        if line:
            turns[-1][1].append(line)
    segments: list[Segment] = []
    clock = 0.0
    for speaker, lines in turns:
        group: list[str] = []
        for line in [*lines, None]:
            size = len(" ".join(group).split())
            if line is not None and (
                size < MIN_SEGMENT_WORDS or size + len(line.split()) <= MAX_SEGMENT_WORDS
            ):
                group.append(line)
                continue
            if group:
                text = " ".join(group)
                seconds = len(text.split()) * 60 / WORDS_PER_MINUTE
                segments.append(
                    Segment(len(segments), round(clock, 2), round(clock + seconds, 2), text, speaker=speaker)
                )
                clock += seconds
            group = [line] if line is not None else []
    speakers = tuple(Speaker(s) for s in dict.fromkeys(s.speaker for s in segments if s.speaker))
    return Transcript(
        language="en", duration=round(clock, 2), segments=tuple(segments), speakers=speakers, source=meeting
    )


def elitr_minutes(meeting: str) -> list[str]:
    """The human minutes of a meeting (several annotators, sometimes the original minutes too)."""
    return [
        p.read_text(encoding="utf-8", errors="replace")
        for p in sorted((ELITR / "dev" / meeting).glob("minutes_*.txt"))
    ]


_ACTION = re.compile(r"\[?(PERSON\d+)\]?\s+(will|should|needs? to|has to|is going to)\s+(.+)", re.IGNORECASE)


@dataclass(frozen=True)
class ReferenceAction:
    owner: str
    task: str


def elitr_actions(meeting: str) -> list[ReferenceAction]:
    """'[PERSONx] will …' lines of the human minutes (deduplicated across annotators)."""
    found: dict[tuple[str, str], ReferenceAction] = {}
    for minutes in elitr_minutes(meeting):
        for line in minutes.splitlines():
            match = _ACTION.search(line)
            if match:
                action = ReferenceAction(match.group(1), match.group(3).strip())
                found.setdefault((action.owner, action.task.casefold()), action)
    return list(found.values())


@dataclass(frozen=True)
class BenchQuestion:
    meeting: str
    kind: str
    position: str
    question: str
    answer: str


def elitr_questions() -> list[BenchQuestion]:
    data = json.loads((ELITR / "elitr-bench" / "elitr-bench-qa_dev.json").read_text(encoding="utf-8"))
    return [
        BenchQuestion(
            m["id"], q["question-type"], q["answer-position"], q["question"], q["groundtruth-answer"]
        )
        for m in data["meetings"]
        for q in m["questions"]
    ]
