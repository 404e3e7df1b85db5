"""Audio file -> `Transcript`: decode, detect speech, recognise, (optionally) diarize.

The orchestration only: each step lives in its own module and knows nothing of the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from greffier.asr.whisper import DecodeOptions, Job, WhisperEngine, get_engine
from greffier.audio import PcmBuffer
from greffier.config import Settings, get_settings
from greffier.errors import GreffierError
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


GROUP_SECONDS = 3600.0
"""Recordings transcribed together hold at most about this much audio (memory stays bounded)."""


def transcribe_files(
    paths: Sequence[Path],
    options: TranscribeOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
) -> Iterator[tuple[int, Transcript | GreffierError]]:
    """Transcribe several recordings, their chunks decoded together in batches.

    Yields `(index in paths, transcript or the error that stopped that file)` group by group, so
    that one bad file never stops the others.
    """
    options = options or TranscribeOptions()
    settings = settings or get_settings()
    progress = progress or _no_progress
    engine = get_engine(options.model or settings.asr_model, settings)
    group: list[tuple[int, Path, PcmBuffer]] = []
    seconds = 0.0
    for index, path in enumerate(paths):
        try:
            audio = PcmBuffer.decode(Path(path), progress=lambda f: progress("decode", f))
        except GreffierError as exc:
            yield index, exc
            continue
        group.append((index, Path(path), audio))
        seconds += audio.duration
        if seconds >= GROUP_SECONDS:
            yield from _transcribe_group(engine, group, options, settings, progress)
            group, seconds = [], 0.0
    if group:
        yield from _transcribe_group(engine, group, options, settings, progress)


def _transcribe_group(
    engine: WhisperEngine,
    group: list[tuple[int, Path, PcmBuffer]],
    options: TranscribeOptions,
    settings: Settings,
    progress: ProgressCallback,
) -> Iterator[tuple[int, Transcript]]:
    jobs, probabilities = [], []
    for _, _, audio in group:
        chunks = tuple(group_chunks(speech_regions(audio.read, audio.num_samples)))
        if options.language:
            language, probability = options.language, None
        else:
            language, probability = engine.detect_language(audio, chunks)
        jobs.append(Job(audio, chunks, language))
        probabilities.append(probability)
    progress("vad", 1.0)
    decode = DecodeOptions(beam_size=settings.beam_size, batch_size=settings.batch_size)
    segments = engine.transcribe(jobs, decode, progress=lambda f: progress("asr", f))
    for (index, path, audio), job, probability, found in zip(
        group, jobs, probabilities, segments, strict=True
    ):
        yield (
            index,
            Transcript(
                language=job.language,
                duration=audio.duration,
                segments=tuple(found),
                language_probability=probability,
                source=str(path),
                model=engine.name,
            ),
        )


def transcribe_file(
    path: Path,
    options: TranscribeOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
) -> Transcript:
    """One recording -> its transcript; raises the `GreffierError` that stops it."""
    [(_, result)] = list(transcribe_files([path], options, settings=settings, progress=progress))
    if isinstance(result, GreffierError):
        raise result
    return result
