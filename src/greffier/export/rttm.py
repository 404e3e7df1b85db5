"""RTTM (NIST Rich Transcription Time Marked): one SPEAKER line per segment, as diarization tools
(pyannote, dscore, meeteval) read it. Segments without a speaker are left out."""

from pathlib import Path

from greffier.transcript import Transcript

MEDIA_TYPE = "text/plain; charset=utf-8"


def _token(text: str) -> str:
    """RTTM fields are separated by white space: none may contain any."""
    return "_".join(text.split()) or "unknown"


def render(transcript: Transcript) -> str:
    file_id = _token(Path(transcript.source).stem if transcript.source else "audio")
    lines = [
        f"SPEAKER {file_id} 1 {s.start:.3f} {max(0.0, s.end - s.start):.3f} <NA> <NA> "
        f"{_token(transcript.speaker_name(s.speaker) or '')} <NA> <NA>"
        for s in transcript.segments
        if s.speaker is not None
    ]
    return "".join(line + "\n" for line in lines)
