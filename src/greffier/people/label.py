"""A diarized transcript's speakers named after the people their voices are (`identify`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from greffier.audio import load_audio
from greffier.diarize.embed import SpeakerEmbedder
from greffier.people.identify import THRESHOLD, Match, PrintIndex, identify
from greffier.people.voiceprint import speech_of, voiceprint
from greffier.transcript import Transcript


def speaker_voices(
    audio: np.ndarray, transcript: Transcript, embedder: SpeakerEmbedder
) -> dict[str, np.ndarray]:
    """Each speaker's voice (its solo speech's centroid), for the speakers with audio."""
    out = {}
    for speaker in transcript.speakers:
        voice = voiceprint(audio, speech_of(transcript, speaker.id), embedder)
        if voice is not None:
            out[speaker.id] = voice
    return out


def with_people(transcript: Transcript, matches: dict[str, Match]) -> Transcript:
    """The speakers identified take their person's name, id and score; the others are left as they are."""
    speakers = tuple(
        replace(sp, name=m.name, person_id=m.person_id, score=m.score) if (m := matches.get(sp.id)) else sp
        for sp in transcript.speakers
    )
    return replace(transcript, speakers=speakers)


def identify_speakers(
    audio: np.ndarray,
    transcript: Transcript,
    index: PrintIndex,
    embedder: SpeakerEmbedder,
    threshold: float = THRESHOLD,
) -> Transcript:
    """`transcript` (diarized from 16 kHz `audio`) with the people of `index` it holds named."""
    if not len(index) or not transcript.speakers:
        return transcript
    return with_people(transcript, identify(speaker_voices(audio, transcript, embedder), index, threshold))


def identify_recording(
    path: Path, transcript: Transcript, index: PrintIndex, embedder: SpeakerEmbedder
) -> Transcript:
    """`identify_speakers` on the recording at `path` (decoded again: 16 kHz mono)."""
    if not len(index) or not transcript.speakers:
        return transcript
    return identify_speakers(load_audio(path), transcript, index, embedder)
