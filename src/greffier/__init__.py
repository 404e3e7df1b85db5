"""Greffier: offline transcription, diarization and minutes for meetings and calls."""

__version__ = "0.1.0"
