"""RTTM (NIST Rich Transcription Time Marked), as diarization tools (pyannote.metrics, dscore,
meeteval) read it: one SPEAKER line per speaker turn. A turn is a run of one speaker's segments;
a pause shorter than TURN_PAUSE_S stays inside the turn, as human turn annotations do."""

from __future__ import annotations

from pathlib import Path

from greffier.transcript import Transcript

MEDIA_TYPE = "text/plain; charset=utf-8"

TURN_PAUSE_S = 1.5


def _token(text: str) -> str:
    """RTTM fields are separated by white space: none may contain any."""
    return "_".join(text.split()) or "unknown"


def render(transcript: Transcript) -> str:
    file_id = _token(Path(transcript.source).stem if transcript.source else "audio")
    turns: list[list] = []  # [speaker, start, end]
    for s in transcript.segments:
        if s.speaker is None:
            continue
        if turns and turns[-1][0] == s.speaker and s.start - turns[-1][2] <= TURN_PAUSE_S:
            turns[-1][2] = max(turns[-1][2], s.end)
        else:
            turns.append([s.speaker, s.start, s.end])
    return "".join(
        f"SPEAKER {file_id} 1 {start:.3f} {max(0.0, end - start):.3f} <NA> <NA> "
        f"{_token(transcript.speaker_name(speaker) or speaker)} <NA> <NA>\n"
        for speaker, start, end in turns
    )
