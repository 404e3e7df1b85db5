"""Stereo calls where each channel is one party: per-channel transcripts merged, one speaker each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from greffier.transcript import Speaker, Transcript


def channel_speaker(channel: int) -> str:
    return f"SPEAKER_{channel:02d}"


def merge_channels(transcripts: Sequence[Transcript]) -> Transcript:
    """One transcript from one per channel (channel i speaks as SPEAKER_0i), segments in time order."""
    labelled = [
        replace(
            s,
            speaker=channel_speaker(i),
            words=tuple(replace(w, speaker=channel_speaker(i)) for w in s.words),
        )
        for i, t in enumerate(transcripts)
        for s in t.segments
    ]
    labelled.sort(key=lambda s: (s.start, s.end))
    segments = tuple(replace(s, id=i) for i, s in enumerate(labelled))
    spoke = {s.speaker for s in segments}
    first = transcripts[0]
    return replace(
        first,
        duration=max(t.duration for t in transcripts),
        segments=segments,
        speakers=tuple(
            Speaker(channel_speaker(i)) for i in range(len(transcripts)) if channel_speaker(i) in spoke
        ),
    )
