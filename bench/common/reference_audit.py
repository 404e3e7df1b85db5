"""The diarization references checked against their own audio, and the audited references that follow.

The references are human segment transcripts (ssak's Kaldi data, pyannote's sample). Two of their
errors can be measured in the audio instead of judged by ear:

- **Pauses inside turns.** A stretch of at least `MIN_PAUSE_S` whose every 50-ms frame is below
  `SILENCE_DBFS` holds no speech (on edf8k the line is cut: "ça coupe"). NIST's Rich Transcription
  rules split a reference segment at pauses of 0.3 s or more; the audited reference cuts them out.
- **Speaker labels the voice contradicts.** On edf8k the two parties are a man (the agent) and a
  woman (the caller); the median pitch (F0, Praat's autocorrelation method through parselmouth) of a
  turn tells them apart. `LABEL_FIXES` lists the turns whose pitch lies with the other party;
  tests/test_reference_audit.py checks that this rule flags exactly these turns.

`python -m bench diarize` scores both references, the one as given and the audited one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from bench.common.diarization import RttmTurn, rttm_turns
from greffier.audio import SAMPLE_RATE

SILENCE_DBFS = -60.0
FRAME_S = 0.05
MIN_PAUSE_S = 0.3
PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 60.0, 500.0
MIN_PITCHED_S = 0.2
"""A turn with less voiced speech than this has no pitch worth comparing."""


@dataclass(frozen=True)
class LabelFix:
    recording: str
    start: float
    """The reference turn's start, as written in its RTTM."""
    given: str
    corrected: str
    why: str


LABEL_FIXES = (
    LabelFix("edf8k", 34.43, "spk1", "spk2", "'je vais essayer' in the caller's (female) voice"),
    LabelFix(
        "edf8k",
        47.87,
        "spk2",
        "spk1",
        "12.4 s in the agent's (male) voice; it says 'j'ai compris, là vous êtes sans électricité'",
    ),
    LabelFix(
        "edf8k",
        63.92,
        "spk1",
        "spk2",
        "the caller's previous words ('ah ça y est vous m'entendez') again, in the caller's voice",
    ),
)


def rttm_text(turns: list[RttmTurn]) -> str:
    return "".join(
        f"SPEAKER {t.recording} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {t.speaker} <NA> <NA>\n"
        for t in turns
    )


def silences(audio: np.ndarray) -> list[tuple[float, float]]:
    """Stretches of at least MIN_PAUSE_S whose 50-ms frames are all below SILENCE_DBFS."""
    frame = round(FRAME_S * SAMPLE_RATE)
    n = len(audio) // frame
    rms = np.sqrt(np.mean(np.square(audio[: n * frame].reshape(n, frame), dtype=np.float64), axis=1))
    quiet = 20 * np.log10(np.maximum(rms, 1e-10)) < SILENCE_DBFS
    edges = np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]]))
    runs = zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True)
    return [
        (float(a * FRAME_S), float(b * FRAME_S)) for a, b in runs if (b - a) * FRAME_S >= MIN_PAUSE_S - 1e-9
    ]


def _cut(turn: RttmTurn, pauses: list[tuple[float, float]]) -> Iterator[RttmTurn]:
    start = turn.start
    for a, b in pauses:
        if b <= start or a >= turn.end:
            continue
        if a > start:
            yield RttmTurn(turn.recording, start, a, turn.speaker)
        start = max(start, b)
    if turn.end > start:
        yield RttmTurn(turn.recording, start, turn.end, turn.speaker)


def relabelled(turn: RttmTurn) -> RttmTurn:
    for fix in LABEL_FIXES:
        if fix.recording == turn.recording and abs(fix.start - turn.start) < 5e-3:
            if turn.speaker != fix.given:
                raise ValueError(f"{turn} is not labelled {fix.given}: the reference changed")
            return RttmTurn(turn.recording, turn.start, turn.end, fix.corrected)
    return turn


def audited_rttm(text: str, audio: np.ndarray) -> str:
    """The reference turns relabelled by LABEL_FIXES, with the silent pauses cut out of them."""
    pauses = silences(audio)
    return rttm_text([piece for t in rttm_turns(text) for piece in _cut(relabelled(t), pauses)])


def audited_stm(text: str) -> str:
    """The STM with the speakers of LABEL_FIXES (its lines are the RTTM's turns, same starts)."""
    lines = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 4:
            turn = relabelled(RttmTurn(fields[0], float(fields[3]), float(fields[4]), fields[2]))
            fields[2] = turn.speaker
        lines.append(" ".join(fields))
    return "\n".join(lines) + "\n"


def median_pitch(audio: np.ndarray, start: float, end: float) -> float | None:
    """Median F0 (Hz) of the voiced frames of [start, end]; None with under MIN_PITCHED_S of them."""
    import parselmouth

    piece = audio[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)].astype(np.float64)
    if len(piece) < SAMPLE_RATE // 10:
        return None
    pitch = parselmouth.Sound(piece, SAMPLE_RATE).to_pitch(
        pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ
    )
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    if len(voiced) * pitch.time_step < MIN_PITCHED_S:
        return None
    return float(np.median(voiced))
