"""The speaker-embedding models: packaged CAM++, and user models configured by path."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from greffier.audio import SAMPLE_RATE, load_audio
from greffier.config import get_settings
from greffier.diarize.embed import get_embedder, load_campplus
from greffier.errors import ModelError
from greffier.models import ensure_model_file
from tests.conftest import eval_file

# pyannote sample.stm: Diane 10.78-14.18 and 17.79-21.48, Sheila 14.44-17.77 and 21.94-28.43.
DIANE = [(11.0, 12.5), (18.0, 19.5)]
SHEILA = [(15.0, 16.5), (22.0, 23.5)]


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    return load_audio(eval_file("pyannote-sample/sample.wav"))


def spans(seconds: list[tuple[float, float]]) -> list[tuple[int, int]]:
    return [(round(s * SAMPLE_RATE), round(e * SAMPLE_RATE)) for s, e in seconds]


def test_campplus_tells_two_voices_apart(audio: np.ndarray):
    vectors = get_embedder().embed(audio, spans(DIANE + SHEILA))
    assert vectors.shape == (4, 192)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    same = (similarity[0, 1] + similarity[2, 3]) / 2
    different = similarity[:2, 2:].mean()
    assert same > different + 0.1, similarity.round(2)


def test_a_user_checkpoint_by_path_gives_the_same_embeddings(audio: np.ndarray, tmp_path: Path):
    mine = tmp_path / "my-campplus.pt"
    shutil.copyfile(ensure_model_file("campplus"), mine)
    settings = get_settings().model_copy(update={"embedding_model": mine})
    embedder = get_embedder(settings)
    assert embedder.name == "my-campplus.pt"
    windows = spans(DIANE + SHEILA)
    assert np.allclose(embedder.embed(audio, windows), get_embedder().embed(audio, windows), atol=1e-5)


def test_an_onnx_fbank_model_by_path(audio: np.ndarray, tmp_path: Path):
    """WeSpeaker / 3D-Speaker style ONNX: here CAM++ itself exported, which must agree with torch."""
    import torch

    model = load_campplus(ensure_model_file("campplus"))
    path = tmp_path / "campplus.onnx"
    torch.onnx.export(
        model,
        (torch.zeros(1, 150, 80),),
        str(path),
        input_names=["feats"],
        output_names=["embs"],
        dynamic_axes={"feats": {0: "batch", 1: "frames"}, "embs": {0: "batch"}},
        dynamo=False,
    )
    embedder = get_embedder(get_settings().model_copy(update={"embedding_model": path}))
    windows = spans(DIANE + SHEILA)
    assert np.allclose(embedder.embed(audio, windows), get_embedder().embed(audio, windows), atol=1e-4)


def test_a_wrong_embedding_model_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelError, match="does not exist"):
        get_embedder(get_settings().model_copy(update={"embedding_model": tmp_path / "nope.pt"}))
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelError, match="not a CAM\\+\\+"):
        get_embedder(get_settings().model_copy(update={"embedding_model": junk}))
