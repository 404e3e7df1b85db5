"""Time formatting and speaker labels shared by the subtitle and text formats."""

from __future__ import annotations

from greffier.transcript import Segment, Transcript


def timestamp(seconds: float, *, decimal: str = ".", always_hours: bool = True) -> str:
    ms = max(0, round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    head = f"{hours:02d}:" if always_hours or hours else ""
    return f"{head}{minutes:02d}:{secs:02d}{decimal}{ms:03d}"


def labelled_text(transcript: Transcript, segment: Segment, *, template: str = "[{name}]: {text}") -> str:
    """The segment text, prefixed with its speaker's display name when there is one (WhisperX style)."""
    text = segment.text.strip()
    name = transcript.speaker_name(segment.speaker)
    return template.format(name=name, text=text) if name else text
