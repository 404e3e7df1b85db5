"""Consecutive segments of one speaker grouped into turns, for the document formats."""

from __future__ import annotations

from dataclasses import dataclass

from greffier.transcript import Segment, TimeSpan, Transcript


@dataclass(frozen=True)
class Turn(TimeSpan):
    """Consecutive segments of one speaker, for the document formats."""

    speaker: str | None
    text: str


def turns(transcript: Transcript) -> list[Turn]:
    grouped: list[list[Segment]] = []
    for s in transcript.segments:
        if grouped and grouped[-1][0].speaker == s.speaker:
            grouped[-1].append(s)
        else:
            grouped.append([s])
    return [
        Turn(
            speaker=transcript.speaker_name(g[0].speaker),
            start=g[0].start,
            end=g[-1].end,
            text=" ".join(s.text.strip() for s in g),
        )
        for g in grouped
    ]
