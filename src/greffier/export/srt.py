"""SubRip subtitles, as whisper/WhisperX write them."""

from greffier.export.timecode import labelled_text, timestamp
from greffier.transcript import Transcript

MEDIA_TYPE = "application/x-subrip"


def render(transcript: Transcript) -> str:
    blocks = [
        f"{i}\n{timestamp(s.start, decimal=',')} --> {timestamp(s.end, decimal=',')}\n{labelled_text(transcript, s)}\n"
        for i, s in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(blocks)
