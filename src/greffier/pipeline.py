"""Audio file -> `Transcript`: decode, detect speech, recognise, (optionally) diarize.

The orchestration only: each step lives in its own module and knows nothing of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from greffier.asr.whisper import DecodeOptions, get_engine
from greffier.audio import PcmBuffer
from greffier.config import Settings, get_settings
from greffier.transcript import Transcript
from greffier.vad import group_chunks, speech_regions

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
    options = options or TranscribeOptions()
    settings = settings or get_settings()
    progress = progress or _no_progress
    engine = get_engine(options.model or settings.asr_model, settings)
    audio = PcmBuffer.decode(Path(path), progress=lambda f: progress("decode", f))
    chunks = list(group_chunks(speech_regions(audio.read, audio.num_samples)))
    progress("vad", 1.0)
    if options.language:
        language, probability = options.language, None
    else:
        language, probability = engine.detect_language(audio, chunks)
    decode = DecodeOptions(beam_size=settings.beam_size, batch_size=settings.batch_size)
    segments = engine.transcribe(audio, chunks, language, decode, progress=lambda f: progress("asr", f))
    return Transcript(
        language=language,
        duration=audio.duration,
        segments=tuple(segments),
        language_probability=probability,
        source=str(path),
        model=engine.name,
    )
