"""`greffier people enrol|list|forget`: the people the CLI knows by their voice (`people.local`),
each enrolled with their consent; `greffier transcribe --diarize --identify` names them."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from greffier.audio import load_audio
from greffier.cli.app import app, console
from greffier.config import get_settings
from greffier.diarize.embed import get_embedder
from greffier.errors import GreffierError, OptionsError
from greffier.people.local import local_store
from greffier.people.model import Consent, Voiceprint
from greffier.people.voiceprint import enrolment_print, sample_speech, speech_of
from greffier.store import people
from greffier.transcript import InvalidTranscript, Transcript

people_app = typer.Typer(help="People known by their voice (with their consent): enrol, list, forget.")
app.add_typer(people_app, name="people")


def _meeting_print(meeting: Path, speaker: str, audio_file: Path | None) -> Voiceprint:
    try:
        transcript = Transcript.load(meeting)
    except InvalidTranscript as exc:
        raise GreffierError(
            str(exc), "give a transcript JSON written by `greffier transcribe -f json`"
        ) from exc
    match = [s.id for s in transcript.speakers if speaker in (s.id, s.name)]
    if not match:
        known = ", ".join(s.id for s in transcript.speakers) or "none (transcribe with --diarize)"
        raise OptionsError(f"{meeting} has no speaker {speaker!r}", f"use one of: {known}")
    audio_file = audio_file or (Path(transcript.source) if transcript.source else None)
    if audio_file is None or not audio_file.is_file():
        raise OptionsError(
            f"the recording of {meeting} ({audio_file or 'not named in it'}) cannot be found",
            "give it with --audio FILE",
        )
    audio = load_audio(audio_file)
    embedder = get_embedder(get_settings())
    return enrolment_print(audio, speech_of(transcript, match[0]), embedder, f"{meeting.name} {match[0]}")


@people_app.command("enrol")
def enrol_command(
    name: str = typer.Argument(..., help='The person\'s name, e.g. "Marie Dupont".'),
    consent_by: str | None = typer.Option(
        None, "--consent-by", help="Who gave the explicit consent (the person, or their DPO): required."
    ),
    meeting: Path | None = typer.Option(None, "--from", help="A transcript JSON where the person speaks."),
    speaker: str | None = typer.Option(None, "--speaker", help="Their speaker id (or name) in --from."),
    audio_file: Path | None = typer.Option(
        None, "--audio", help="The recording of --from (default: the file the transcript names)."
    ),
    sample: Path | None = typer.Option(
        None, "--from-sample", help="A recording of the person alone (10 s+)."
    ),
    email: str | None = typer.Option(None, "--email"),
    by: str | None = typer.Option(None, "--by", help="Who records the consent (default: your login name)."),
) -> None:
    """Remember a person's voice (one more print if they are known), with their consent."""
    if not consent_by or not consent_by.strip():
        raise OptionsError(
            "a voiceprint is biometric data: enrolment needs the person's explicit consent",
            "say who gave it with --consent-by (the person, or their DPO: dpo@example.org)",
        )
    if not name.strip():
        raise OptionsError("the name is empty", 'give a name, e.g. "Marie Dupont"')
    if (meeting is None) == (sample is None) or (meeting is not None and speaker is None):
        raise OptionsError(
            "enrol from one source", "give --from MEETING.json --speaker SPEAKER_xx, or --from-sample FILE"
        )
    if sample is not None:
        print_ = enrolment_print(
            load_audio(sample),
            sample_speech(load_audio(sample)),
            get_embedder(get_settings()),
            f"sample {sample.name}",
        )
    else:
        print_ = _meeting_print(meeting, speaker or "", audio_file)
    consent = Consent(consent_by.strip(), by or getpass.getuser(), datetime.now(UTC))
    with local_store(get_settings()) as (db, organisation_id), db.write() as session:
        people.enrol(session, organisation_id, name.strip(), print_, consent, email)
    console.print(
        f"{name.strip()}: voiceprint of {print_.seconds:.1f} s enrolled (consent: {consent.given_by})"
    )


@people_app.command("list")
def list_command() -> None:
    """Each person: name, e-mail, prints, consent (never the prints themselves)."""
    with local_store(get_settings()) as (db, organisation_id), db.read() as session:
        found = people.list_people(session, organisation_id)
    table = Table("name", "e-mail", "prints", "consent by", "given", "recorded by", box=None)
    for p in found:
        table.add_row(
            p.name,
            p.email or "",
            str(p.prints),
            p.consent.given_by,
            p.consent.given_at.isoformat(timespec="seconds"),
            p.consent.recorded_by,
        )
    console.print(table if found else 'nobody enrolled: `greffier people enrol "Name" --from-sample FILE …`')


@people_app.command("forget")
def forget_command(name: str = typer.Argument(..., help="The person's name (or id).")) -> None:
    """Delete a person and every print of theirs (consent withdrawn); erased from the file too."""
    with local_store(get_settings()) as (db, organisation_id):
        gone = people.forget(db, organisation_id, name)
    if gone is None:
        raise OptionsError(f"nobody named {name!r} is enrolled", "see `greffier people list`")
    console.print(f"{gone.name}: forgotten ({gone.prints} voiceprint(s) deleted)")
