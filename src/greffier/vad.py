"""Speech regions (Silero VAD, the model packaged with faster-whisper) and decoding chunks.

`speech_regions` runs the VAD window by window over a long recording, so memory stays bounded;
`group_chunks` merges regions into chunks of at most `max_chunk` seconds, the unit that the
recogniser decodes (Whisper's window is 30 s); `SpeechTracker` follows a live stream as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from faster_whisper.vad import VadOptions, get_speech_timestamps, get_vad_model

from greffier.audio import SAMPLE_RATE
from greffier.transcript import TimeSpan

Region = TimeSpan
"""A stretch of speech (the name the recogniser and the live tracker read it under)."""


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


def group_chunks(
    regions: Iterator[Region], max_chunk: float = 30.0, max_gap: float = float("inf")
) -> Iterator[Region]:
    """Merge consecutive regions while the merged span stays within `max_chunk` seconds and the pause
    between them is shorter than `max_gap`."""
    current: Region | None = None
    for region in regions:
        if current is None:
            current = region
        elif region.end - current.start <= max_chunk and region.start - current.end < max_gap:
            current = Region(current.start, region.end)
        else:
            yield current
            current = region
    if current is not None:
        yield current


class SpeechTracker:
    """Silero VAD over a live stream: speech regions as they open and close, window by window.

    Runs the model of `get_speech_timestamps` on each 32-ms window as samples arrive, carrying its
    recurrent state, so the probabilities are those of a whole-file pass; opens a region when the
    probability reaches `threshold` and closes it after `min_silence_ms` below `threshold - 0.15`
    (the same hysteresis). Regions shorter than `min_speech_ms` are dropped. As `speech_regions`
    restarts Silero every `window_s`, the state is reset in silence every `RESET_S` seconds: over a
    long silence it drifts and misses the next speech.
    """

    WINDOW = 512
    CONTEXT = 64
    BATCH = 32
    """Windows run at once (1 s): the reset is checked between batches."""
    RESET_S = 10.0

    def __init__(self, settings: VadSettings = VadSettings()) -> None:
        self._session = get_vad_model().session
        self._threshold = settings.threshold
        self._neg_threshold = max(settings.threshold - 0.15, 0.01)
        self._min_silence = settings.min_silence_ms / 1000
        self._min_speech = settings.min_speech_ms / 1000
        self._state = (np.zeros((1, 1, 128), np.float32), np.zeros((1, 1, 128), np.float32))
        self._context = np.zeros(self.CONTEXT, np.float32)
        self._rest = np.zeros(0, np.float32)
        self._windows = 0
        self._reset_at = 0
        self._start: float | None = None
        self._silence_from: float | None = None
        self.closed: list[Region] = []
        """Regions that ended, oldest first (the caller removes those it has dealt with)."""

    @property
    def analysed(self) -> float:
        """Seconds of audio analysed so far (whole windows)."""
        return self._windows * self.WINDOW / SAMPLE_RATE

    @property
    def open_since(self) -> float | None:
        """Start of the region in progress, or None in silence."""
        return self._start

    @property
    def pause_since(self) -> float | None:
        """Where the current pause inside the open region began (it closes the region if it lasts)."""
        return self._silence_from if self._start is not None else None

    def feed(self, samples: np.ndarray) -> None:
        audio = np.concatenate([self._rest, samples.astype(np.float32, copy=False)])
        n = len(audio) // self.WINDOW
        self._rest = audio[n * self.WINDOW :]
        windows = audio[: n * self.WINDOW].reshape(n, self.WINDOW)
        for first in range(0, n, self.BATCH):
            if (
                self._start is None
                and (self._windows - self._reset_at) * self.WINDOW >= self.RESET_S * SAMPLE_RATE
            ):
                self._state = (np.zeros_like(self._state[0]), np.zeros_like(self._state[1]))
                self._context = np.zeros(self.CONTEXT, np.float32)
                self._reset_at = self._windows
            self._run(windows[first : first + self.BATCH])

    def _run(self, windows: np.ndarray) -> None:
        contexts = np.concatenate([self._context[None], windows[:-1, -self.CONTEXT :]])
        self._context = windows[-1, -self.CONTEXT :].copy()
        probabilities, h, c = self._session.run(
            None,
            {"input": np.concatenate([contexts, windows], axis=1), "h": self._state[0], "c": self._state[1]},
        )
        self._state = (h, c)
        for probability in probabilities.ravel():
            self._update(float(probability), self._windows * self.WINDOW / SAMPLE_RATE)
            self._windows += 1

    def _update(self, probability: float, time: float) -> None:
        if self._start is None:
            if probability >= self._threshold:
                self._start = time
            return
        if probability >= self._threshold:
            self._silence_from = None
        elif probability < self._neg_threshold:
            if self._silence_from is None:
                self._silence_from = time
            elif time - self._silence_from >= self._min_silence:
                if self._silence_from - self._start >= self._min_speech:
                    self.closed.append(Region(self._start, self._silence_from))
                self._start = self._silence_from = None
