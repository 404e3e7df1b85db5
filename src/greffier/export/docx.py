"""Word document (python-docx): speaker turns with timecodes."""

import io
from pathlib import Path

import docx as python_docx

from greffier.export.timecode import timestamp
from greffier.export.turns import turns
from greffier.transcript import Transcript

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def render(transcript: Transcript) -> bytes:
    document = python_docx.Document()
    document.add_heading(Path(transcript.source).name if transcript.source else "Transcript", level=1)
    document.add_paragraph(f"Language: {transcript.language} — duration: {timestamp(transcript.duration)}")
    for turn in turns(transcript):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"[{timestamp(turn.start)}] ").italic = True
        if turn.speaker:
            paragraph.add_run(f"{turn.speaker}: ").bold = True
        paragraph.add_run(turn.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
