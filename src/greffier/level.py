"""Recording level: the speech level in dBFS, and the gain that brings a quiet recording up to
TARGET_DBFS before speech detection and recognition (a headset mix of a meeting can sit at -51 dBFS
RMS, where Silero hears a third of the speech). Loud recordings are left as they are."""

from __future__ import annotations

import numpy as np

from greffier.audio import SAMPLE_RATE, PcmBuffer

TARGET_DBFS = -26.0
MAX_GAIN_DB = 30.0
FRAME_S = 0.1
LOUD_SHARE = 0.1
"""The speech level is the RMS of the loudest tenth of 100-ms frames (pauses do not count)."""


def speech_level(pcm: PcmBuffer) -> float:
    """dBFS of the loudest LOUD_SHARE of the recording's 100-ms frames (-inf for silence)."""
    frame = round(FRAME_S * SAMPLE_RATE)
    powers: list[np.ndarray] = []
    block = 60 * SAMPLE_RATE
    for start in range(0, pcm.num_samples, block):
        samples = pcm.read(start, start + block)
        usable = len(samples) - len(samples) % frame
        if usable:
            powers.append((samples[:usable].reshape(-1, frame) ** 2).mean(axis=1))
    if not powers:
        return float("-inf")
    power = np.sort(np.concatenate(powers))[::-1]
    loud = power[: max(1, round(LOUD_SHARE * len(power)))].mean()
    return float(10 * np.log10(loud)) if loud > 0 else float("-inf")


def normalised(pcm: PcmBuffer) -> tuple[PcmBuffer, float]:
    """The recording raised to TARGET_DBFS when quieter (at most MAX_GAIN_DB), and its level before."""
    level = speech_level(pcm)
    if not np.isfinite(level) or level >= TARGET_DBFS:
        return pcm, level
    return pcm.scaled(10 ** (min(TARGET_DBFS - level, MAX_GAIN_DB) / 20)), level
