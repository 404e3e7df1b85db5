"""`greffier speakers list|rename TRANSCRIPT.json`: see the speakers of a transcript, name them."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from greffier.cli.app import app, console
from greffier.errors import GreffierError
from greffier.transcript import InvalidTranscript, Transcript

speakers_app = typer.Typer(help="List the speakers of a transcript JSON, or give them display names.")
app.add_typer(speakers_app, name="speakers")


def _load(path: Path) -> Transcript:
    try:
        return Transcript.load(path)
    except InvalidTranscript as exc:
        raise GreffierError(
            str(exc), "give a transcript JSON written by `greffier transcribe -f json`"
        ) from exc


@speakers_app.command("list")
def list_command(transcript_file: Path = typer.Argument(..., help="A transcript JSON.")) -> None:
    """Each speaker's id, display name, number of segments and speaking time."""
    transcript = _load(transcript_file)
    table = Table("id", "name", "segments", "speaking time (s)")
    for speaker in transcript.speakers:
        mine = [s for s in transcript.segments if s.speaker == speaker.id]
        table.add_row(
            speaker.id, speaker.name or "", str(len(mine)), f"{sum(s.end - s.start for s in mine):.1f}"
        )
    console.print(table)
    if not transcript.speakers:
        console.print("no speakers: transcribe with --diarize (or --channels-as-speakers) to find them")


@speakers_app.command("rename")
def rename_command(
    transcript_file: Path = typer.Argument(..., help="A transcript JSON; it is rewritten in place."),
    speaker: str = typer.Argument(..., help="A speaker id (SPEAKER_00) or its current name."),
    name: str = typer.Argument(..., help="The display name every export will show."),
) -> None:
    """Give a speaker a display name; the JSON is written back, ids stay the same."""
    transcript = _load(transcript_file)
    match = [s.id for s in transcript.speakers if speaker in (s.id, s.name)]
    if not match:
        known = ", ".join(f"{s.id} ({s.name})" if s.name else s.id for s in transcript.speakers) or "none"
        raise GreffierError(f"{transcript_file} has no speaker {speaker!r}", f"use one of: {known}")
    if not name.strip():
        raise GreffierError("the new name is empty", 'give a name, e.g. "Marie"')
    transcript.rename_speaker(match[0], name.strip()).save(transcript_file)
    console.print(f"{match[0]} is now {name.strip()!r} in {transcript_file}")
