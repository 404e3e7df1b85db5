"""Speech recognition engines."""

from greffier.asr.adapter import LANGUAGES

__all__ = ["LANGUAGES"]
