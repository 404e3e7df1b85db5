"""Read a Simsamu dialogue (word-level JSON with speaker turns) as a `Transcript`.

Simsamu (MIT, HeKA Research Team) holds simulated French SAMU calls; each `<name>.json` is a list of
`monologues`, each with a speaker (`medecin` = the regulator, `patient[_N]` = a caller) and timed
terms (`WORD` or `PUNCTUATION`). One monologue becomes one `Segment`, its index the segment id.
The dialogue name carries the call reason (`dj_2022_feu_grand_pere`); it goes to `metadata["reason"]`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from greffier.transcript import InvalidTranscript, Segment, Speaker, Transcript, Word

REGULATOR = "medecin"
SPEAKER_NAMES = {
    REGULATOR: "Régulateur",
    "patient": "Appelant",
    "patient_1": "Appelant 1",
    "patient_2": "Appelant 2",
}


def load_simsamu(path: Path) -> Transcript:
    """Build a `Transcript` from one Simsamu dialogue JSON (`dj_2022_x/dj_2022_x.json`)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        monologues = data["monologues"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidTranscript(f"{path}: not a Simsamu dialogue JSON ({exc})") from exc
    segments = tuple(_segment(i, m) for i, m in enumerate(monologues))
    speaker_ids = sorted({s.speaker for s in segments if s.speaker})
    speakers = tuple(Speaker(sid, SPEAKER_NAMES.get(sid)) for sid in speaker_ids)
    name = path.stem
    return Transcript(
        language="fr",
        duration=max((s.end for s in segments), default=0.0),
        segments=segments,
        speakers=speakers,
        source=str(path),
        model="human (Simsamu)",
        metadata={"call": name, "reason": name.split("_", 2)[-1], "regulator": REGULATOR},
    )


def is_simsamu(data: Any) -> bool:
    return isinstance(data, dict) and "monologues" in data


def _segment(index: int, monologue: dict[str, Any]) -> Segment:
    speaker = monologue["speaker"]["id"]
    words: list[Word] = []
    for term in monologue["terms"]:
        text = term["text"].strip()
        if not text:
            continue
        if term.get("type") == "PUNCTUATION" and words:
            last = words[-1]
            words[-1] = Word(last.start, last.end, last.text + text, last.probability, speaker)
        else:
            words.append(Word(float(term["start"]), float(term["end"]), text, 1.0, speaker))
    text = " ".join(w.text for w in words)
    return Segment(
        id=index,
        start=round(float(monologue["start"]), 3),
        end=round(float(monologue["end"]), 3),
        text=text,
        words=tuple(words),
        speaker=speaker,
    )
