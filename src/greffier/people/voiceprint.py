"""A speaker's voiceprint: the normalised mean of CAM++ embeddings (the `diarize.embed` model, loaded
once per process) of 1.5-s windows over the stretches where that speaker talks alone.

    vector, seconds = voiceprint(audio, speech_of(transcript, "SPEAKER_01"), embedder)

Enrolment needs at least `MIN_SPEECH_S` of speech (`enrolment_print`); identification takes what a
recording has (a short speaker gives a noisier voice, and scores lower).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from greffier.diarize.embed import SpeakerEmbedder
from greffier.diarize.timeline import regions_of, windows
from greffier.errors import GreffierError
from greffier.people.model import Voiceprint
from greffier.transcript import TimeSpan, Transcript

MIN_SPEECH_S = 10.0
"""Speech a print is enrolled from, at least."""
DIM = 192


class NotEnoughSpeech(GreffierError):
    """Too little of a person's speech to enrol a reliable print."""


def speech_of(transcript: Transcript, speaker: str) -> list[TimeSpan]:
    """Where `speaker` talks alone: its diarization turns less everyone else's (overlap is two voices),
    or its segments when the transcript has no turns (speakers from channels or corrections)."""
    if not transcript.turns:
        return [
            TimeSpan(s.start, s.end) for s in transcript.segments if s.speaker == speaker and s.end > s.start
        ]
    others = [t for t in transcript.turns if t.speaker != speaker]
    out: list[TimeSpan] = []
    for turn in (t for t in transcript.turns if t.speaker == speaker):
        out += _minus(TimeSpan(turn.start, turn.end), others)
    return out


def _minus(span: TimeSpan, others: Sequence[TimeSpan]) -> list[TimeSpan]:
    pieces = [span]
    for other in others:
        cut: list[TimeSpan] = []
        for piece in pieces:
            if other.end <= piece.start or other.start >= piece.end:
                cut.append(piece)
                continue
            if other.start > piece.start:
                cut.append(TimeSpan(piece.start, other.start))
            if other.end < piece.end:
                cut.append(TimeSpan(other.end, piece.end))
        pieces = cut
    return [p for p in pieces if p.end > p.start]


def seconds_of(spans: Sequence[TimeSpan]) -> float:
    return sum(s.duration for s in spans)


def voiceprint(audio: np.ndarray, spans: Sequence[TimeSpan], embedder: SpeakerEmbedder) -> np.ndarray | None:
    """The (192,) L2-normalised float32 centroid of the windows of `spans` in 16 kHz `audio`; None
    when the spans hold no audio."""
    found = windows(spans)
    if not found:
        return None
    vectors = embedder.embed(audio, found)
    if not len(vectors):
        return None
    return normalised(vectors.mean(axis=0))


def normalised(vector: np.ndarray) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    return vector / max(float(np.linalg.norm(vector)), 1e-8)


def enrolment_print(
    audio: np.ndarray, spans: Sequence[TimeSpan], embedder: SpeakerEmbedder, source: str
) -> Voiceprint:
    """A print to enrol, from at least MIN_SPEECH_S of speech; raises `NotEnoughSpeech`."""
    seconds = seconds_of(spans)
    vector = voiceprint(audio, spans, embedder) if seconds >= MIN_SPEECH_S else None
    if vector is None:
        raise NotEnoughSpeech(
            f"{source} has {seconds:.1f} s of that speaker's own speech; a voiceprint needs "
            f"{MIN_SPEECH_S:.0f} s at least",
            "enrol from a meeting where the person speaks longer, or from a sample of 10 s or more "
            "of their voice alone",
        )
    return Voiceprint(vector, round(seconds, 2), source)


def to_bytes(vector: np.ndarray) -> bytes:
    """A print as stored: DIM little-endian float32."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    if len(data) != DIM * 4:
        raise ValueError(f"a stored voiceprint has {len(data)} bytes, not {DIM * 4}")
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def sample_speech(audio: np.ndarray) -> list[TimeSpan]:
    """Where someone talks in a sample of one person's voice (Silero speech regions)."""
    return list(regions_of(audio))
