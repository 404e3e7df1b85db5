"""Audio file -> `Transcript`: decode, detect speech, recognise, (optionally) diarize.

The orchestration only: each step lives in its own module and knows nothing of the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from greffier.asr.whisper import DecodeOptions, Job, WhisperEngine, get_engine
from greffier.audio import PcmBuffer, probe
from greffier.config import Settings, get_settings
from greffier.diarize import DiarizeOptions, diarize, meeting_regions, merge_channels
from greffier.errors import GreffierError, OptionsError
from greffier.level import normalised
from greffier.transcript import Transcript
from greffier.vad import Region, group_chunks, speech_regions

ProgressCallback = Callable[[str, float], None]
"""Called with (stage, fraction of that stage done in 0..1)."""


def _no_progress(stage: str, fraction: float) -> None:
    return None


@dataclass(frozen=True)
class TranscribeOptions:
    language: str | None = None
    """ISO 639-1 code, or None to detect it."""
    diarize: bool = False
    speakers: DiarizeOptions = field(default_factory=DiarizeOptions)
    """What is known of the speakers (an exact count, or bounds); checked when made."""
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
    group: list[tuple[int, Path, list[PcmBuffer], float]] = []
    seconds = 0.0
    for index, path in enumerate(paths):
        try:
            tracks = _decode(Path(path), options, progress)
        except GreffierError as exc:
            yield index, exc
            continue
        levelled = [normalised(track) for track in tracks]  # quiet rooms raised before VAD and ASR
        tracks = [track for track, _ in levelled]
        group.append((index, Path(path), tracks, max(level for _, level in levelled)))
        seconds += tracks[0].duration
        if seconds >= GROUP_SECONDS:
            yield from _transcribe_group(engine, group, options, settings, progress)
            group, seconds = [], 0.0
    if group:
        yield from _transcribe_group(engine, group, options, settings, progress)


def _decode(path: Path, options: TranscribeOptions, progress: ProgressCallback) -> list[PcmBuffer]:
    """The recording as one mono track, or one track per channel when channels are the speakers."""
    if not options.channels_as_speakers:
        return [PcmBuffer.decode(path, progress=lambda f: progress("decode", f))]
    channels = probe(path).channels
    if channels < 2:
        raise OptionsError(
            f"{path} has {channels} audio channel; --channels-as-speakers needs a stereo call",
            "use --diarize to find the speakers of a mono recording",
        )
    return [PcmBuffer.decode(path, progress=lambda f: progress("decode", f), channel=c) for c in (0, 1)]


MEETING_CHUNK_GAP_S = 1.0
"""Meeting regions are decoded apart across a pause this long: Whisper given 23 s of a quiet meeting
with pauses in one window wrote only its last sentence (ami trn07; trn01 and trn02 got no text)."""


def _chunks(audio: PcmBuffer, options: TranscribeOptions, settings: Settings) -> tuple[Region, ...]:
    """What to recognise: for a meeting to diarize, where the segmentation model hears speech (Silero
    misses much of a quiet room's); otherwise, and for telephone-band calls, Silero's regions."""
    if options.diarize:
        regions = meeting_regions(audio.read(0, audio.num_samples), options.speakers, settings)
        if regions is not None:
            return tuple(group_chunks(iter(regions), max_gap=MEETING_CHUNK_GAP_S))
    return tuple(group_chunks(speech_regions(audio.read, audio.num_samples)))


def _transcribe_group(
    engine: WhisperEngine,
    group: list[tuple[int, Path, list[PcmBuffer], float]],
    options: TranscribeOptions,
    settings: Settings,
    progress: ProgressCallback,
) -> Iterator[tuple[int, Transcript]]:
    jobs, probabilities = [], []
    for audio in (track for _, _, tracks, _ in group for track in tracks):
        chunks = _chunks(audio, options, settings)
        if options.language:
            language, probability = options.language, None
        else:
            language, probability = engine.detect_language(audio, chunks)
        jobs.append(Job(audio, chunks, language))
        probabilities.append(probability)
    progress("vad", 1.0)
    decode = DecodeOptions(beam_size=settings.beam_size, batch_size=settings.batch_size)
    segments = engine.transcribe(jobs, decode, progress=lambda f: progress("asr", f))
    results = zip(jobs, probabilities, segments, strict=True)
    for index, path, tracks, level in group:
        parts = [
            Transcript(
                language=job.language,
                duration=job.audio.duration,
                segments=tuple(found),
                language_probability=probability,
                source=str(path),
                model=engine.name,
                metadata={"level_dbfs": round(level, 1)},
            )
            for job, probability, found in islice(results, len(tracks))
        ]
        yield index, _speakers(parts, tracks, options, settings, progress)


def _speakers(
    parts: list[Transcript],
    tracks: list[PcmBuffer],
    options: TranscribeOptions,
    settings: Settings,
    progress: ProgressCallback,
) -> Transcript:
    """One transcript per channel merged (channels as speakers), or the speakers found by diarization."""
    if options.channels_as_speakers:
        return merge_channels(parts)
    if not options.diarize:
        return parts[0]
    progress("diarize", 0.0)
    audio = tracks[0]
    found = diarize(audio.read(0, audio.num_samples), parts[0], options.speakers, settings=settings)
    progress("diarize", 1.0)
    return found


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
