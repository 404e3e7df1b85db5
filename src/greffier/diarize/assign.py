"""Words to speakers by time overlap, short interjections checked on their own voice, and segments
split wherever the speaker changes (a segment never mixes two speakers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from greffier.diarize.timeline import Turn
from greffier.transcript import Segment, Speaker, SpeakerTurn, Transcript, Word

INTERJECTION_MAX_S = 1.2
"""A run of words this short, set apart by pauses, may be another speaker's "oui" / "d'accord"."""
INTERJECTION_PAUSE_S = 0.15
INTERJECTION_MARGIN = 0.1
"""Cosine by which the run's own voice must prefer another speaker's centroid to change speaker."""


def speaker_at(start: float, end: float, turns: Sequence[Turn]) -> str:
    """The speaker talking most during [start, end]; the nearest turn when none overlaps."""
    overlap: dict[str, float] = {}
    for t in turns:
        o = min(end, t.end) - max(start, t.start)
        if o > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
    if overlap:
        return max(overlap, key=lambda k: overlap[k])
    middle = (start + end) / 2
    nearest = min(turns, key=lambda t: max(t.start - middle, middle - t.end))
    return nearest.speaker


def word_speakers(words: Sequence[Word], turns: Sequence[Turn]) -> list[str]:
    return [speaker_at(w.start, w.end, turns) for w in words]


def interjections(words: Sequence[Word], speakers: Sequence[str]) -> list[tuple[int, int]]:
    """[first, last) word indices of short runs bounded by pauses, inside another speaker's talk."""
    runs: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(words) + 1):
        if i == len(words) or words[i].start - words[i - 1].end >= INTERJECTION_PAUSE_S:
            runs.append((first, i))
            first = i
    out = []
    for k, (a, b) in enumerate(runs):
        if words[b - 1].end - words[a].start > INTERJECTION_MAX_S or not 0 < k < len(runs) - 1:
            continue
        before, after = speakers[runs[k - 1][1] - 1], speakers[runs[k + 1][0]]
        if before == after == speakers[a]:
            out.append((a, b))
    return out


def recheck_interjections(
    words: Sequence[Word],
    speakers: list[str],
    voice_of: Callable[[list[tuple[float, float]]], np.ndarray],
    centroids: np.ndarray,
) -> list[str]:
    """Give each interjection the speaker its own embedding is closest to, when clearly closer
    (speaker "k" is the cluster of row k of `centroids`)."""
    runs = interjections(words, speakers)
    if not runs or len(centroids) < 2:
        return speakers
    vectors = voice_of([(words[a].start, words[b - 1].end) for a, b in runs])
    scores = vectors @ centroids.T
    out = list(speakers)
    for (a, b), score in zip(runs, scores, strict=True):
        best, current = int(np.argmax(score)), int(speakers[a])
        if best != current and score[best] - score[current] >= INTERJECTION_MARGIN:
            out[a:b] = [str(best)] * (b - a)
    return out


SHORT_RUN_S = 0.5
"""A run of words given to another speaker inside someone's talk must last this long to stand."""


def absorb_short_runs(words: Sequence[Word], speakers: Sequence[str]) -> list[str]:
    """Runs of words shorter than SHORT_RUN_S, between two runs of one other speaker, given back to
    that speaker (a frame or two of overlap must not cut "your" out of a sentence); the turns keep
    the overlap."""
    out = list(speakers)
    pieces = _runs(out)
    for k in range(1, len(pieces) - 1):
        first, last, label = pieces[k]
        around = pieces[k - 1][2]
        if around == pieces[k + 1][2] != label and words[last - 1].end - words[first].start < SHORT_RUN_S:
            out[first:last] = [around] * (last - first)
    return out


def changed_runs(before: Sequence[str], after: Sequence[str]) -> list[tuple[int, int]]:
    """[first, last) word indices of the runs whose speaker differs between the two labellings."""
    out: list[tuple[int, int]] = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if a == b:
            continue
        if out and out[-1][1] == i and after[i - 1] == b:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def split_by_speaker(
    transcript: Transcript, speakers: Sequence[str], turns: Sequence[Turn], *, wordless: bool = False
) -> Transcript:
    """A new transcript whose segments each hold one speaker, with ids SPEAKER_00… by first appearance,
    and whose turns are `turns` under those ids. With `wordless`, a speaker heard only where the
    recogniser has no words (overlap, back-channels) is kept, listed after the others."""
    names: dict[str, str] = {}

    def name(label: str) -> str:
        return names.setdefault(label, f"SPEAKER_{len(names):02d}")

    segments: list[Segment] = []
    position = 0
    for segment in transcript.segments:
        count = len(segment.words)
        labels = speakers[position : position + count]
        position += count
        if not count:
            label = name(speaker_at(segment.start, segment.end, turns)) if turns else None
            segments.append(replace(segment, id=len(segments), speaker=label))
            continue
        pieces = _runs(labels)
        for k, (first, last, label) in enumerate(pieces):
            who = name(label)
            piece = segment if len(pieces) == 1 else segment.piece(first, last)
            segments.append(
                replace(
                    piece,
                    id=len(segments),
                    start=segment.start if k == 0 else piece.start,
                    end=segment.end if k == len(pieces) - 1 else piece.end,
                    words=tuple(replace(w, speaker=who) for w in piece.words),
                    speaker=who,
                )
            )
    if wordless:
        for t in sorted(turns, key=lambda t: t.start):
            name(t.speaker)
    speaker_list = tuple(Speaker(i) for i in sorted(set(names.values())))
    # a cluster no word was given to is not listed as a speaker: its turns are left out too
    kept = [SpeakerTurn(t.start, t.end, names[t.speaker]) for t in turns if t.speaker in names]
    return replace(transcript, segments=tuple(segments), speakers=speaker_list, turns=tuple(kept))


def _runs(labels: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first, last, label): the runs of one label, `last` excluded."""
    out: list[tuple[int, int, str]] = []
    for i, label in enumerate(labels):
        if out and out[-1][2] == label:
            out[-1] = (out[-1][0], i + 1, label)
        else:
            out.append((i, i + 1, label))
    return out
