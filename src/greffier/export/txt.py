"""Plain text: one segment a line; a speaker's name opens each change of speaker."""

from greffier.export.timecode import labelled_text
from greffier.transcript import Transcript

MEDIA_TYPE = "text/plain; charset=utf-8"


def render(transcript: Transcript) -> str:
    return "".join(
        labelled_text(transcript, s, template="{name}: {text}") + "\n" for s in transcript.segments
    )
