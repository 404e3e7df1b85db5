"""RTTM (NIST Rich Transcription Time Marked), as diarization tools (pyannote.metrics, dscore,
meeteval) read it: one SPEAKER line per speaker turn.

A diarized transcript carries its own turns (`Transcript.turns`: who spoke when, including speech the
recogniser has no words for), and those are written. Otherwise a turn is a run of one speaker's
segments; a pause shorter than TURN_PAUSE_S stays inside the turn, as human turn annotations do."""

from __future__ import annotations

from pathlib import Path

from greffier.transcript import SpeakerTurn, Transcript

MEDIA_TYPE = "text/plain; charset=utf-8"

TURN_PAUSE_S = 1.5


def _token(text: str) -> str:
    """RTTM fields are separated by white space: none may contain any."""
    return "_".join(text.split()) or "unknown"


def segment_turns(transcript: Transcript) -> list[SpeakerTurn]:
    turns: list[SpeakerTurn] = []
    for s in transcript.segments:
        if s.speaker is None:
            continue
        if turns and turns[-1].speaker == s.speaker and s.start - turns[-1].end <= TURN_PAUSE_S:
            turns[-1] = SpeakerTurn(turns[-1].start, max(turns[-1].end, s.end), s.speaker)
        else:
            turns.append(SpeakerTurn(s.start, s.end, s.speaker))
    return turns


def render(transcript: Transcript) -> str:
    file_id = _token(Path(transcript.source).stem if transcript.source else "audio")
    turns = transcript.turns or segment_turns(transcript)
    return "".join(
        f"SPEAKER {file_id} 1 {t.start:.3f} {max(0.0, t.end - t.start):.3f} <NA> <NA> "
        f"{_token(transcript.speaker_name(t.speaker) or t.speaker)} <NA> <NA>\n"
        for t in turns
    )
