"""What a stored recording is named and served as: chosen from the container the decoder found in it,
never from the client's file name (a WAV uploaded as `notes.html` is stored as `audio.wav` and served
as audio, so that a browser never renders it as a page of Greffier's site)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from greffier.audio import probe
from greffier.errors import AudioError


@dataclass(frozen=True)
class RecordingFormat:
    suffix: str
    media_type: str


UNKNOWN = RecordingFormat(".bin", "application/octet-stream")
_NAME = re.compile(r"[a-z0-9]{1,8}")
_FORMATS = {
    "wav": RecordingFormat(".wav", "audio/x-wav"),
    "mp3": RecordingFormat(".mp3", "audio/mpeg"),
    "ogg": RecordingFormat(".ogg", "audio/ogg"),
    "flac": RecordingFormat(".flac", "audio/flac"),
    "matroska,webm": RecordingFormat(".webm", "audio/webm"),
    "mov,mp4,m4a,3gp,3g2,mj2": RecordingFormat(".m4a", "audio/mp4"),
    "aac": RecordingFormat(".aac", "audio/aac"),
    "aiff": RecordingFormat(".aiff", "audio/aiff"),
}
"""By FFmpeg's container name (`AudioInfo.container`)."""


def recording_format(container: str) -> RecordingFormat:
    """Another container keeps FFmpeg's name as its suffix (a hint for the next decoding) and is served
    as bytes."""
    if container in _FORMATS:
        return _FORMATS[container]
    return RecordingFormat(f".{container}", UNKNOWN.media_type) if _NAME.fullmatch(container) else UNKNOWN


@lru_cache(maxsize=1024)
def stored_format(path: Path) -> RecordingFormat:
    """The format of a stored recording, as its decoder finds it (a recording is never rewritten, so
    this is asked once per file). Recordings stored before Greffier chose their names kept the
    client's suffix: it is never trusted."""
    try:
        return recording_format(probe(path).container)
    except AudioError:
        return UNKNOWN
