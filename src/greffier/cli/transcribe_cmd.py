"""`greffier transcribe FILE...`: recordings in, transcripts out (whisper/WhisperX-style flags)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from greffier.cli.app import app, console, console_error, parse_language
from greffier.config import Settings, get_settings
from greffier.diarize import DiarizeOptions
from greffier.diarize.embed import get_embedder
from greffier.errors import GreffierError, OptionsError
from greffier.export import parse_formats, render
from greffier.people.identify import PrintIndex
from greffier.people.label import identify_recording
from greffier.people.local import local_store
from greffier.pipeline import ProgressCallback, TranscribeOptions, transcribe_files
from greffier.store.people import print_index
from greffier.transcript import Transcript


def write_outputs(transcript: Transcript, stem: str, formats: list[str], output_dir: Path) -> list[Path]:
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        content = render(transcript, fmt)
        target = output_dir / f"{stem}.{fmt}"
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
        written.append(target)
    return written


@app.command("transcribe")
def transcribe_command(
    files: list[Path] = typer.Argument(
        ..., help="Audio or video files (wav, mp3, flac, ogg, m4a, webm, mp4…)."
    ),
    language: str = typer.Option("auto", "--language", "-l", help="fr, en, … or auto (detect)."),
    output_format: str = typer.Option(
        "json,srt,txt", "--output-format", "-f", help="Comma-separated, or all."
    ),
    output_dir: Path = typer.Option(Path("."), "--output-dir", "-o", help="Where the outputs go."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads (default: all cores)."),
    model: Path | None = typer.Option(
        None, "--model", help="A CTranslate2 Whisper directory (e.g. large-v3)."
    ),
    diarize: bool = typer.Option(False, "--diarize", help="Find who spoke when."),
    num_speakers: int | None = typer.Option(
        None, "--num-speakers", help="Exact number of speakers, if known."
    ),
    min_speakers: int | None = typer.Option(None, "--min-speakers"),
    max_speakers: int | None = typer.Option(None, "--max-speakers"),
    diarizer: str = typer.Option(
        "auto",
        "--diarizer",
        help="auto (by bandwidth), segmentation (meetings: pyannote segmentation-3.0) or windowed (calls).",
    ),
    speaker_names: str | None = typer.Option(
        None,
        "--speaker-names",
        help="Comma-separated names for SPEAKER_00, SPEAKER_01… (speakers are numbered as they first speak).",
    ),
    channels_as_speakers: bool = typer.Option(
        False, "--channels-as-speakers", help="Stereo call: each channel is one party."
    ),
    identify: bool = typer.Option(
        False, "--identify", help="With --diarize: name the speakers enrolled with `greffier people enrol`."
    ),
    minutes: bool = typer.Option(
        False, "--minutes", help="Also write minutes (<stem>.minutes.md and .json), each claim grounded."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar; only errors."),
) -> None:
    """Transcribe recordings with word timestamps; one output per format per file."""
    formats = parse_formats(output_format)
    names = parse_speaker_names(speaker_names)
    settings = get_settings()
    if threads:
        settings = settings.model_copy(update={"threads": threads})
    options = TranscribeOptions(
        language=parse_language(language),
        diarize=diarize or channels_as_speakers,
        speakers=DiarizeOptions(num_speakers, min_speakers, max_speakers, diarizer),
        channels_as_speakers=channels_as_speakers,
        model=model,
    )
    known = _people(settings) if identify else None
    if identify and not options.diarize:
        raise OptionsError("--identify names the speakers found", "add --diarize")
    failures = 0
    with _progress(quiet) as progress:
        for index, result in transcribe_files(files, options, settings=settings, progress=progress):
            path = files[index]
            if isinstance(result, GreffierError):
                console_error(str(result) if str(path) in str(result) else f"{path}: {result}")
                failures += 1
                continue
            if known is not None:
                result = identify_recording(path, result, known, get_embedder(settings))
            if names:
                result = name_speakers(result, names, path)
            written = write_outputs(result, path.stem, formats, output_dir)
            if minutes:
                written += _write_minutes(result, path.stem, output_dir, settings, progress)
            if not quiet:
                console.print(
                    f"[green]✓[/] {path} — {result.language} ({result.language_probability or 0:.2f}), "
                    f"{len(result.segments)} segments, {len(result.speakers)} speakers → "
                    + ", ".join(str(p) for p in written)
                )
    if failures:
        raise typer.Exit(2)


def _people(settings: Settings) -> PrintIndex:
    with local_store(settings) as (db, organisation_id), db.read() as session:
        index = print_index(session, organisation_id)
    if not len(index):
        raise OptionsError(
            "--identify: nobody is enrolled", 'enrol people first: `greffier people enrol "Name" …`'
        )
    return index


def parse_speaker_names(value: str | None) -> list[str]:
    """A --speaker-names value: names in the order the speakers first speak."""
    if value is None:
        return []
    names = [name.strip() for name in value.split(",")]
    if not all(names):
        raise OptionsError(f"--speaker-names {value!r} has an empty name", 'give names, e.g. "Marie,Paul"')
    return names


def name_speakers(transcript: Transcript, names: list[str], path: Path) -> Transcript:
    """The transcript with SPEAKER_00… named in order; names left over or speakers left unnamed are said."""
    for speaker, name in zip(sorted(transcript.speakers, key=lambda s: s.id), names, strict=False):
        transcript = transcript.rename_speaker(speaker.id, name)
    if len(names) != len(transcript.speakers):
        console_error(
            f"{path}: {len(transcript.speakers)} speakers found, {len(names)} names given; "
            "fix with `greffier speakers rename` (or --num-speakers)"
        )
    return transcript


def _write_minutes(
    transcript: Transcript, stem: str, output_dir: Path, settings: Settings, progress: ProgressCallback | None
) -> list[Path]:
    from greffier.assist.minutes import write_minutes
    from greffier.assist.render import save

    written = write_minutes(transcript, settings=settings, progress=progress)
    return save(written, ["md", "json"], output_dir, stem)


@contextmanager
def _progress(quiet: bool) -> Iterator[ProgressCallback | None]:
    """A progress bar (stage, percent, elapsed) on the console, or nothing with --quiet."""
    if quiet:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("transcribing", total=1.0)

        def progress(stage: str, fraction: float) -> None:
            bar.update(task, completed=fraction, description=f"[{stage}]")

        yield progress
