"""Telephone-band audio: a recording with (almost) nothing above 4 kHz, an 8-kHz call resampled."""

from __future__ import annotations

import numpy as np

from greffier.audio import SAMPLE_RATE

CUTOFF_HZ = 4200.0
TELEPHONE_SHARE = 3e-5
"""Share of the energy above CUTOFF_HZ under which a recording is telephone-band. Measured: 2e-7 to
9e-7 on the three narrowband references (edf8k, tcof2channels, the pyannote sample), 3e-4 to 1.3e-2
on the ten AMI headset mixes."""
FFT = 512
MAX_FRAMES = 20_000
"""Frames looked at (evenly spread): 10 minutes of audio, bounded work on long recordings."""


def high_band_share(audio: np.ndarray) -> float:
    """The share of the recording's energy above CUTOFF_HZ (0 for silence)."""
    frames = len(audio) // FFT
    if frames == 0:
        return 0.0
    picked = np.linspace(0, frames - 1, min(frames, MAX_FRAMES)).astype(int)
    blocks = audio[: frames * FFT].reshape(frames, FFT)[picked] * np.hanning(FFT)
    energy = (np.abs(np.fft.rfft(blocks, axis=1)) ** 2).sum(axis=0)
    total = energy.sum()
    high = energy[np.fft.rfftfreq(FFT, 1 / SAMPLE_RATE) > CUTOFF_HZ].sum()
    return float(high / total) if total > 0 else 0.0


def is_telephone_band(audio: np.ndarray) -> bool:
    return high_band_share(audio) < TELEPHONE_SHARE
