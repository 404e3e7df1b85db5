"""Greffier's own JSON: the `Transcript` model (see `greffier.transcript`)."""

from greffier.transcript import Transcript

MEDIA_TYPE = "application/json"


def render(transcript: Transcript) -> str:
    return transcript.to_json()
