"""Markdown: a title, the language and duration, then speaker turns with timecodes."""

from pathlib import Path

from greffier.export.timecode import timestamp
from greffier.export.turns import turns
from greffier.transcript import Transcript

MEDIA_TYPE = "text/markdown; charset=utf-8"


def render(transcript: Transcript) -> str:
    title = Path(transcript.source).name if transcript.source else "Transcript"
    lines = [
        f"# {title}",
        "",
        f"*Language: {transcript.language} · duration: {timestamp(transcript.duration)}*",
        "",
    ]
    for turn in turns(transcript):
        who = f"**{turn.speaker}** " if turn.speaker else ""
        lines += [f"{who}`[{timestamp(turn.start)}]`", "", turn.text, ""]
    return "\n".join(lines)
