"""Speech regions (Silero VAD, the model packaged with faster-whisper) and decoding chunks.

`speech_regions` runs the VAD window by window over a long recording, so memory stays bounded;
`group_chunks` merges regions into chunks of at most `max_chunk` seconds, the unit that the
recogniser decodes (Whisper's window is 30 s).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps

from greffier.audio import SAMPLE_RATE


@dataclass(frozen=True)
class Region:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class VadSettings:
    threshold: float = 0.5
    min_silence_ms: int = 500
    speech_pad_ms: int = 300
    min_speech_ms: int = 150
    max_region_s: float = 28.0
    window_s: float = 30.0
    """Silero is run on windows of this length: over long silences its state drifts and it misses
    speech (bonjour_vous_allez_bien.mp3 at 32.9 s is missed with one 36-s window)."""


def speech_regions(
    read: Callable[[int, int], np.ndarray],
    total_samples: int,
    settings: VadSettings = VadSettings(),
) -> Iterator[Region]:
    """Speech regions of a recording, read window by window through `read(start, end)` (samples).

    A region still open at a window's end is re-detected from its start in the next window.
    """
    options = VadOptions(
        threshold=settings.threshold,
        min_silence_duration_ms=settings.min_silence_ms,
        speech_pad_ms=settings.speech_pad_ms,
        min_speech_duration_ms=settings.min_speech_ms,
        max_speech_duration_s=settings.max_region_s,
    )
    window = int(settings.window_s * SAMPLE_RATE)
    position = 0
    while position < total_samples:
        end = min(position + window, total_samples)
        found = get_speech_timestamps(read(position, end), options)
        next_position = end
        if end < total_samples and len(found) > 1 and found[-1]["end"] >= (end - position) - SAMPLE_RATE:
            next_position = position + found[-1]["start"]
            found = found[:-1]
        for r in found:
            yield Region((position + r["start"]) / SAMPLE_RATE, (position + r["end"]) / SAMPLE_RATE)
        position = next_position


def group_chunks(regions: Iterator[Region], max_chunk: float = 30.0) -> Iterator[Region]:
    """Merge consecutive regions while the merged span stays within `max_chunk` seconds."""
    current: Region | None = None
    for region in regions:
        if current is None:
            current = region
        elif region.end - current.start <= max_chunk:
            current = Region(current.start, region.end)
        else:
            yield current
            current = region
    if current is not None:
        yield current
