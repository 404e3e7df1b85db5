"""The evaluation transcripts used to measure the pseudonymiser, read as `Transcript`s, and their gold PII.

Simsamu (`simsamu-text/<call>/<call>.json`, word-level JSON): one segment per monologue.
ELITR (`elitr-minuting/dev/<meeting>/transcript_*.txt`): one segment per `(PERSONx)` turn; lines that
follow without a speaker tag continue the turn.
Segment ids are the 0-based turn index; gold annotations (`tests/data/pii/*.json`) point into them by
segment id, character offset and the quoted text. The transcripts themselves stay in ../shared/eval.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from greffier.transcript import Segment, Speaker, Transcript, Word

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("GREFFIER_EVAL_DIR", ROOT.parent / "shared" / "eval"))
GOLD_DIR = ROOT / "tests" / "data" / "pii"


def load_simsamu(call: str) -> Transcript:
    path = EVAL / "simsamu-text" / call / f"{call}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    segments = []
    for index, monologue in enumerate(data["monologues"]):
        words: list[Word] = []
        for term in monologue["terms"]:
            if term["type"] == "PUNCTUATION" and words:
                last = words[-1]
                words[-1] = Word(last.start, last.end, last.text + term["text"], speaker=last.speaker)
            elif term["text"].strip():
                words.append(
                    Word(term["start"], term["end"], term["text"], speaker=monologue["speaker"]["id"])
                )
        segments.append(
            Segment(
                id=index,
                start=monologue["start"],
                end=monologue["end"],
                text=" ".join(w.text for w in words),
                words=tuple(words),
                speaker=monologue["speaker"]["id"],
            )
        )
    speakers = tuple(Speaker(s) for s in dict.fromkeys(seg.speaker for seg in segments if seg.speaker))
    duration = max((s.end for s in segments), default=0.0)
    return Transcript("fr", duration, tuple(segments), speakers, source=f"simsamu/{call}")


_ELITR_TURN = re.compile(r"^\((PERSON\d+)\)\s*(.*)$")


def load_elitr(meeting: str) -> Transcript:
    folder = EVAL / "elitr-minuting" / "dev" / meeting
    path = sorted(folder.glob("transcript_*.txt"))[0]
    turns: list[tuple[str | None, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ELITR_TURN.match(line.strip())
        if match:
            turns.append((match.group(1), [match.group(2)]))
        elif line.strip():
            if not turns:
                turns.append((None, []))
            turns[-1][1].append(line.strip())
    segments = tuple(
        Segment(id=i, start=float(i), end=float(i + 1), text=" ".join(lines), speaker=speaker)
        for i, (speaker, lines) in enumerate(turns)
    )
    speakers = tuple(Speaker(s) for s in dict.fromkeys(seg.speaker for seg in segments if seg.speaker))
    return Transcript("en", float(len(segments)), segments, speakers, source=f"elitr/{meeting}")


def load(corpus: str, name: str) -> Transcript:
    return {"simsamu": load_simsamu, "elitr": load_elitr}[corpus](name)


@dataclass(frozen=True)
class GoldSpan:
    file: str
    segment: int
    start: int
    end: int
    text: str
    category: str


@dataclass(frozen=True)
class GoldFile:
    corpus: str
    name: str
    split: str  # "dev": looked at while writing the rules; "heldout": not; "synthetic": our own sentences
    spans: tuple[GoldSpan, ...]
    transcript: Transcript


def gold_files() -> list[GoldFile]:
    """Every annotated transcript (real ones from ../shared/eval, then the synthetic turns), in a stable order."""
    files = []
    for path in sorted(GOLD_DIR.glob("*__*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        spans = tuple(
            GoldSpan(data["name"], s["segment"], s["start"], s["end"], s["text"], s["category"])
            for s in data["spans"]
        )
        transcript = load(data["corpus"], data["name"])
        if len(transcript.segments) != data["segments"]:
            raise ValueError(
                f"{path.name}: {data['segments']} turns annotated, {len(transcript.segments)} loaded"
            )
        for span in spans:
            if transcript.segment(span.segment).text[span.start : span.end] != span.text:
                raise ValueError(
                    f"{path.name}: {span.text!r} not at turn {span.segment} [{span.start}:{span.end}]"
                )
        files.append(GoldFile(data["corpus"], data["name"], data["split"], spans, transcript))
    files += [synthetic(path) for path in sorted(GOLD_DIR.glob("synthetic_*.txt"))]
    return files


def leaked(files: list[GoldFile], exported: str) -> list[str]:
    """The annotated identifiers of `files` that still occur, as whole words, in `exported` (any case)."""
    return sorted(
        {
            span.text
            for f in files
            for span in f.spans
            if re.search(rf"(?<!\w){re.escape(span.text)}(?!\w)", exported, re.IGNORECASE)
        }
    )


_MARK = re.compile(r"\{([A-Z]+)\|([^}]*)\}")


def synthetic(path: Path) -> GoldFile:
    """Our own turns, one per line, personal data marked {CATEGORY|text}."""
    language = path.stem.split("_")[-1]
    segments, spans = [], []
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    for index, line in enumerate(line for line in lines if line and not line.startswith("#")):
        text, cursor = "", 0
        for match in _MARK.finditer(line):
            text += line[cursor : match.start()]
            start = len(text)
            text += match.group(2)
            spans.append(GoldSpan(path.stem, index, start, len(text), match.group(2), match.group(1)))
            cursor = match.end()
        text += line[cursor:]
        segments.append(Segment(id=index, start=float(index), end=index + 1.0, text=text, speaker="A"))
    transcript = Transcript(
        language, float(len(segments)), tuple(segments), (Speaker("A"),), source=path.stem
    )
    return GoldFile("synthetic", path.stem, "synthetic", tuple(spans), transcript)
