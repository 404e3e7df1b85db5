"""WebVTT subtitles; the speaker is a voice tag (<v Name>), as WebVTT defines it."""

from greffier.export.timecode import labelled_text, timestamp
from greffier.transcript import Transcript

MEDIA_TYPE = "text/vtt"


def render(transcript: Transcript) -> str:
    cues = [
        f"{timestamp(s.start)} --> {timestamp(s.end)}\n{labelled_text(transcript, s, template='<v {name}>{text}')}\n"
        for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(cues)
