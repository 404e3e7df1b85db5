"""From local speakers of overlapping chunks to global speakers per frame, and frames to turns.

Each chunk's local speakers are given a global speaker (a cluster); a frame's global activity is the
mean over the chunks that cover it, and as many speakers are kept in a frame as the chunks say are
talking there on average (0, 1 or 2: overlap gives two turns at once). This is the reconstruction of
pyannote's 3.x pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.diarize.segmentation import FRAME_SIZE_S, FRAME_STEP_S
from greffier.diarize.timeline import Turn
from greffier.vad import Region

MIN_OFF_S = 0.1
"""A pause of one speaker shorter than this is bridged (pyannote's min_duration_off)."""
SPEECH = 0.3
"""A frame is speech where someone is active in this share of the chunks covering it."""
OVERLAP = 1.5
"""Two speakers are kept where the chunks count this many on average."""
MIN_ON_S = 0.1
"""A stretch of one speaker shorter than this is dropped."""


def chunk_offset(start: int) -> int:
    """The global frame at which the chunk starting at sample `start` begins."""
    return round(start / SAMPLE_RATE / FRAME_STEP_S)


REGION_PAD_S = 0.3
REGION_GAP_S = 0.5
"""Speech regions for the recogniser: padded like Silero's, pauses shorter than this bridged."""
MAX_REGION_S = 28.0


def _chunk_mean(values: np.ndarray, starts: Sequence[int], total_frames: int) -> np.ndarray:
    """Per global frame, the mean of `values` (chunks, chunk frames, ...) over the chunks covering it."""
    total = np.zeros((total_frames, *values.shape[2:]), np.float32)
    covered = np.zeros(total_frames, np.float32)
    for c, start in enumerate(starts):
        o = chunk_offset(start)
        end = min(o + values.shape[1], total_frames)
        total[o:end] += values[c, : end - o]
        covered[o:end] += 1
    return total / np.maximum(covered, 1).reshape(-1, *([1] * (values.ndim - 2)))


def heard_share(activity: np.ndarray, starts: Sequence[int], total_frames: int) -> np.ndarray:
    """Per global frame, the mean over the chunks covering it of the probability that anyone talks."""
    return _chunk_mean(activity[..., -1], starts, total_frames)


def speech_regions(heard: np.ndarray, duration: float) -> list[Region]:
    """Regions where someone talks (heard share >= SPEECH), padded, short pauses bridged, none longer
    than MAX_REGION_S (the recogniser decodes at most 30 s at once)."""
    column = np.concatenate([[False], heard >= SPEECH, [False]])
    edges = np.flatnonzero(np.diff(column.astype(np.int8)))
    out: list[Region] = []
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        start = max(0.0, a * FRAME_STEP_S - REGION_PAD_S)
        end = min(duration, b * FRAME_STEP_S + FRAME_SIZE_S + REGION_PAD_S)
        if out and start - out[-1].end < REGION_GAP_S and end - out[-1].start <= MAX_REGION_S:
            out[-1] = Region(out[-1].start, end)
            continue
        while end - start > MAX_REGION_S:
            out.append(Region(start, start + MAX_REGION_S))
            start += MAX_REGION_S
        if out and start < out[-1].end:
            start = out[-1].end
        out.append(Region(start, end))
    return out


def global_activity(
    activity: np.ndarray, starts: Sequence[int], assigned: np.ndarray, speakers: int, total_frames: int
) -> np.ndarray:
    """(frames, speakers) booleans. `activity` is (chunks, chunk frames, 3 + 1) local probabilities
    (`Segmenter.activity`), `assigned` (chunks, 3) the global speaker of each local one (-1: none)."""
    blocks = np.zeros((*activity.shape[:2], speakers), np.float32)
    for c, k in zip(*np.nonzero(assigned >= 0), strict=True):  # two local speakers of one voice count once
        np.maximum(blocks[c, :, assigned[c, k]], activity[c, :, k], out=blocks[c, :, assigned[c, k]])
    score = _chunk_mean(blocks, starts, total_frames)
    count = _chunk_mean(activity[..., :-1].sum(axis=-1), starts, total_frames)
    heard = heard_share(activity, starts, total_frames)
    talking = (heard >= SPEECH).astype(int) + (count >= OVERLAP)
    talking = np.minimum(talking, min(2, speakers))
    ranked = np.argsort(-score, axis=1)
    out = np.zeros((total_frames, speakers), dtype=bool)
    for rank in range(min(2, speakers)):
        rows = np.nonzero(talking > rank)[0]
        out[rows, ranked[rows, rank]] = True
    return out & (score > 0)


def frame_turns(active: np.ndarray) -> list[Turn]:
    """Turns per global speaker from its active frames (overlapping turns of two speakers kept)."""
    out: list[Turn] = []
    half = FRAME_SIZE_S / 2
    for speaker in range(active.shape[1]):
        column = np.concatenate([[False], active[:, speaker], [False]])
        edges = np.flatnonzero(np.diff(column.astype(np.int8)))
        runs: list[list[float]] = []
        for a, b in zip(edges[::2], edges[1::2], strict=True):
            start, end = a * FRAME_STEP_S + half, b * FRAME_STEP_S + half
            if runs and start - runs[-1][1] < MIN_OFF_S:
                runs[-1][1] = end
            else:
                runs.append([start, end])
        out += [Turn(s, e, str(speaker)) for s, e in runs if e - s >= MIN_ON_S]
    return sorted(out, key=lambda t: (t.start, t.end))
