"""Meeting diarization: pyannote segmentation-3.0 over sliding 10-s chunks -> one CAM++ embedding per
(chunk, local speaker) -> the same spectral clustering, count chosen within the bounds -> each chunk's
local speakers matched to distinct clusters -> global speakers per frame (two where they overlap)
-> turns.

Memory is linear in the recording: the chunk step grows with the duration (at most MAX_STEP_S), so a
2-hour meeting clusters at most a few thousand (chunk, speaker) embeddings, never one per window.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.diarize.cluster import agglomerative, centroids
from greffier.diarize.embed import SpeakerEmbedder
from greffier.diarize.frames import chunk_offset, frame_turns, global_activity, heard_share, speech_regions
from greffier.diarize.options import DiarizeOptions
from greffier.diarize.segmentation import FRAME_STEP_S, Segmenter
from greffier.diarize.timeline import Turn
from greffier.vad import Region

MIN_STEP_S = 1.0
MAX_STEP_S = 5.0
CHUNKS_WANTED = 40
"""The step is chosen so that a recording has about this many chunks, within the two bounds above."""
ACTIVE = 0.5
"""A local speaker is embedded on the frames where its probability reaches this."""
MIN_CLEAN_S = 0.5
"""A local speaker heard alone this long is embedded on those frames only, else on all its frames."""
MIN_EMBED_S = 0.2
"""A local speaker heard less than this in a chunk is not embedded (nor kept in that chunk)."""
EMBED_BATCH_CHUNKS = 64
"""Chunks whose speakers' audio is gathered at once (bounded memory on long recordings)."""


@dataclass(frozen=True)
class MeetingSpeakers:
    turns: list[Turn]
    """Per global speaker, overlapping where two talk at once."""
    voices: np.ndarray
    """(speakers, dim) normalised centroid of each speaker's embeddings."""


def chunk_step(duration: float) -> float:
    return min(MAX_STEP_S, max(MIN_STEP_S, duration / CHUNKS_WANTED))


def _speaker_audio(audio: np.ndarray, start: int, active: np.ndarray, clean: np.ndarray) -> np.ndarray | None:
    """The samples of a chunk where one local speaker talks (alone if long enough), or None."""
    use = clean if clean.sum() * FRAME_STEP_S >= MIN_CLEAN_S else active
    if use.sum() * FRAME_STEP_S < MIN_EMBED_S:
        return None
    hop = FRAME_STEP_S * SAMPLE_RATE
    pieces = [audio[start + round(f * hop) : start + round((f + 1) * hop)] for f in np.flatnonzero(use)]
    return np.concatenate(pieces)


def _embed(
    audio: np.ndarray, starts: list[int], activity: np.ndarray, embedder: SpeakerEmbedder
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """(chunk, local speaker) pairs embedded, and their embeddings."""
    keys: list[tuple[int, int]] = []
    vectors: list[np.ndarray] = []
    active = activity[:, :, :-1] >= ACTIVE
    alone = active.sum(axis=2) == 1
    for first in range(0, len(starts), EMBED_BATCH_CHUNKS):
        pieces, batch_keys = [], []
        for c in range(first, min(first + EMBED_BATCH_CHUNKS, len(starts))):
            for k in range(active.shape[2]):
                piece = _speaker_audio(audio, starts[c], active[c, :, k], active[c, :, k] & alone[c])
                if piece is not None:
                    pieces.append(piece)
                    batch_keys.append((c, k))
        if not pieces:
            continue
        bounds = np.cumsum([0] + [len(p) for p in pieces])
        joined = np.concatenate(pieces)
        vectors.append(embedder.embed(joined, [(int(a), int(b)) for a, b in pairwise(bounds)]))
        keys += batch_keys
    return keys, (np.concatenate(vectors) if vectors else np.zeros((0, 0), np.float32))


def _assign(keys: list[tuple[int, int]], vectors: np.ndarray, voices: np.ndarray, chunks: int) -> np.ndarray:
    """(chunks, 3) global speaker of each local one: distinct within a chunk (Hungarian on cosine)."""
    from scipy.optimize import linear_sum_assignment

    out = np.full((chunks, 3), -1, dtype=int)
    scores = vectors @ voices.T
    by_chunk: dict[int, list[int]] = {}
    for row, (c, _) in enumerate(keys):
        by_chunk.setdefault(c, []).append(row)
    for c, rows in by_chunk.items():
        local = scores[rows]
        if len(rows) <= len(voices):
            r, g = linear_sum_assignment(-local)
        else:
            r, g = np.arange(len(rows)), np.argmax(local, axis=1)
        for i, j in zip(r, g, strict=True):
            out[c, keys[rows[i]][1]] = j
    return out


def _segment(audio: np.ndarray, segmenter: Segmenter) -> tuple[list[int], np.ndarray]:
    step = round(chunk_step(len(audio) / SAMPLE_RATE) * SAMPLE_RATE)
    starts = segmenter.starts(len(audio), step)
    return starts, segmenter.activity(audio, starts)


def meeting_speech(audio: np.ndarray, segmenter: Segmenter) -> list[Region]:
    """Where someone talks in a 16 kHz mono recording, by the segmentation (for the recogniser)."""
    starts, activity = _segment(audio, segmenter)
    total = chunk_offset(starts[-1]) + activity.shape[1]
    return speech_regions(heard_share(activity, starts, total), len(audio) / SAMPLE_RATE)


def meeting_speakers(
    audio: np.ndarray, options: DiarizeOptions, embedder: SpeakerEmbedder, segmenter: Segmenter
) -> MeetingSpeakers | None:
    """Speaker turns of a 16 kHz mono recording; None where the segmentation hears nobody."""
    starts, activity = _segment(audio, segmenter)
    keys, vectors = _embed(audio, starts, activity, embedder)
    if not keys:
        return None
    labels = agglomerative(vectors, options)
    voices = centroids(labels, vectors)
    assigned = _assign(keys, vectors, voices, len(starts))
    total = chunk_offset(starts[-1]) + activity.shape[1]
    active = global_activity(activity, starts, assigned, len(voices), total)
    return MeetingSpeakers(frame_turns(active), voices)
