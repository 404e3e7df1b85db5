"""Tab-separated segments with integer milliseconds (whisper's `start end text` layout, plus speaker)."""

from greffier.transcript import Transcript

MEDIA_TYPE = "text/tab-separated-values; charset=utf-8"


def render(transcript: Transcript) -> str:
    lines = ["start\tend\tspeaker\ttext"]
    for s in transcript.segments:
        text = s.text.strip().replace("\t", " ").replace("\n", " ")
        speaker = transcript.speaker_name(s.speaker) or ""
        lines.append(f"{round(1000 * s.start)}\t{round(1000 * s.end)}\t{speaker}\t{text}")
    return "\n".join(lines) + "\n"
