"""Audio file -> `Transcript`: decode, detect speech, recognise, (optionally) diarize.

The orchestration only: each step lives in its own module and knows nothing of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from greffier.config import Settings, get_settings
from greffier.transcript import Transcript

ProgressCallback = Callable[[str, float], None]
"""Called with (stage, fraction of that stage done in 0..1)."""


def _no_progress(stage: str, fraction: float) -> None:
    return None


@dataclass(frozen=True)
class TranscribeOptions:
    language: str | None = None
    """ISO 639-1 code, or None to detect it."""
    diarize: bool = False
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    channels_as_speakers: bool = False
    model: Path | None = None
    """A CTranslate2 Whisper directory; default: settings.asr_model, else the packaged base."""


def transcribe_file(
    path: Path,
    options: TranscribeOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
) -> Transcript:
    from greffier.asr.whisper import get_engine

    options = options or TranscribeOptions()
    settings = settings or get_settings()
    progress = progress or _no_progress
    engine = get_engine(options.model or settings.asr_model, settings)
    transcript = engine.transcribe_file(Path(path), language=options.language, progress=progress)
    return transcript
