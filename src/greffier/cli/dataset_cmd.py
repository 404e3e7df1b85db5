"""`greffier dataset …`: consent, licence, pseudonymise, export as an open dataset, forget a speaker."""

from __future__ import annotations

import getpass
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from greffier.cli.app import app, console
from greffier.config import get_settings
from greffier.dataset.consent import (
    Consent,
    ConsentRecord,
    LicenceRecord,
    SqliteConsentStore,
    forget,
    now,
    parse_licence,
)
from greffier.errors import GreffierError, OptionsError
from greffier.people.local import local_store
from greffier.store import people
from greffier.transcript import InvalidTranscript, Transcript

if TYPE_CHECKING:  # spaCy, Faker and pyarrow load in seconds: only the commands that need them import them
    from greffier.dataset.pseudonymise import PseudonymiseOptions
    from greffier.store.db import Database

dataset_app = typer.Typer(
    help="Consent, licences and the pseudonymised open-dataset export.", no_args_is_help=True
)
app.add_typer(dataset_app, name="dataset")

_BY = typer.Option(None, "--by", help="Who records this (default: your login name).")


def _store() -> SqliteConsentStore:
    return SqliteConsentStore(get_settings().consent_store_path)


def _who(by: str | None) -> str:
    return by or getpass.getuser()


def _meeting_id(meeting: str) -> str:
    """A transcript file stands for its meeting: its file name without extension."""
    return Path(meeting).stem if Path(meeting).suffix == ".json" else meeting


def _load(path: Path) -> Transcript:
    try:
        return Transcript.load(path)
    except InvalidTranscript as exc:
        raise GreffierError(str(exc), "pass a transcript JSON written by `greffier transcribe`") from exc


def _options(surrogates: bool) -> PseudonymiseOptions:
    from greffier.dataset.pseudonymise import options_from_settings

    return options_from_settings(get_settings(), surrogates)


@dataset_app.command("consent")
def consent_command(
    meeting: str = typer.Argument(..., help="Meeting id, or its transcript JSON file."),
    speaker: str | None = typer.Option(None, "--speaker", help="Speaker id in the transcript; omit to list."),
    status: str | None = typer.Option(None, "--status", help="given, refused or withdrawn."),
    person: str | None = typer.Option(
        None, "--person", help="Who this speaker is across meetings (for forget)."
    ),
    by: str | None = _BY,
) -> None:
    """Record a speaker's consent for one meeting, or list the meeting's consents."""
    store, meeting_id = _store(), _meeting_id(meeting)
    if speaker:
        if status is None or status not in {c.value for c in Consent}:
            raise OptionsError("--status is missing or unknown", "use --status given, refused or withdrawn")
        store.record_consent(ConsentRecord(meeting_id, speaker, Consent(status), _who(by), now(), person))
        console.print(f"{meeting_id}: {speaker} {status}")
        return
    table = Table("speaker", "person", "consent", "recorded by", "at", box=None)
    for record in store.consents(meeting_id):
        table.add_row(
            record.speaker, record.person or "", record.status.value, record.recorded_by, record.recorded_at
        )
    console.print(table if table.rows else f"{meeting_id}: no consent recorded")


@dataset_app.command("license")
def license_command(
    transcript: Path = typer.Argument(..., help="The meeting's transcript JSON."),
    licence: str = typer.Option(..., "--license", help="cc-by-4.0, cc-by-sa-4.0 or none."),
    meeting: str | None = typer.Option(None, "--meeting", help="Meeting id (default: the file name)."),
    source: str = typer.Option("greffier", "--source", help="Provenance shown in the dataset."),
    by: str | None = _BY,
) -> None:
    """Choose the licence under which a meeting may be shared (none = never exported)."""
    _load(transcript)
    meeting_id = meeting or transcript.stem
    key = parse_licence(licence)
    _store().set_licence(LicenceRecord(meeting_id, key, _who(by), now(), str(transcript.resolve()), source))
    console.print(f"{meeting_id}: {key}")


@dataset_app.command("pseudonymise")
def pseudonymise_command(
    transcript: Path = typer.Argument(..., help="A transcript JSON."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write (default: stdout)."),
    surrogates: bool = typer.Option(False, "--surrogates", help="Realistic fake values instead of [Nom_1]."),
) -> None:
    """Write a copy of a transcript with personal data replaced and speakers renamed."""
    from greffier.dataset.pseudonymise import pseudonymise

    result = pseudonymise(_load(transcript), _options(surrogates), seed=transcript.stem)
    if output:
        result.transcript.save(output)
    else:
        typer.echo(result.transcript.to_json())


_FROM_SERVICE = typer.Option(
    False,
    "--from-service",
    help="Use the service's database (database_url, blob_dir) instead of the CLI's store.",
)
_ORG = typer.Option(None, "--org", help="With --from-service: the organisation (greffier admin create-org).")


def _service_store(org: str | None) -> tuple[Database, uuid.UUID]:
    """The service database and the organisation named by --org."""
    from sqlalchemy import select

    from greffier.store.db import Database
    from greffier.store.models import Organisation

    if not org:
        raise OptionsError(
            "--from-service needs the organisation", "add --org NAME (as in greffier admin create-org)"
        )
    db = Database.from_settings(get_settings())
    db.migrate()
    with db.read() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.name == org))
    if organisation is None:
        db.dispose()
        raise OptionsError(
            f"no organisation {org!r} in the service database", "check --org and GREFFIER_DATABASE_URL"
        )
    return db, organisation.id


@dataset_app.command("export")
def export_command(
    out: Path = typer.Option(..., "--out", help="Output folder (Hugging Face datasets layout)."),
    fmt: str = typer.Option("jsonl", "--format", help="jsonl or parquet."),
    licence: list[str] = typer.Option([], "--license", help="Only meetings under this licence (repeatable)."),
    mask_refused: bool = typer.Option(
        False, "--mask-refused", help="Mask non-consenting turns instead of removing."
    ),
    surrogates: bool = typer.Option(False, "--surrogates", help="Realistic fake values instead of [Nom_1]."),
    name: str = typer.Option("Greffier conversations", "--name", help="Dataset name in the data card."),
    from_service: bool = _FROM_SERVICE,
    org: str | None = _ORG,
) -> None:
    """Export licensed meetings, consenting speakers only, pseudonymised, with a data card and checksums."""
    from greffier.dataset.export import ExportOptions, export_dataset

    options = ExportOptions(
        fmt, tuple(parse_licence(x) for x in licence), mask_refused, _options(surrogates), name
    )

    def load(record: LicenceRecord) -> Transcript:
        path = Path(record.transcript)
        if not path.exists():
            raise GreffierError(
                f"transcript of meeting {record.meeting} not found at {path}",
                f"run `greffier dataset license NEW_PATH --meeting {record.meeting} --license …`",
            )
        return _load(path)

    if from_service:
        from greffier.app.dataset_export import export_from_service

        db, organisation_id = _service_store(org)
        try:
            result = export_from_service(db, organisation_id, out, options)
        finally:
            db.dispose()
    else:
        result = export_dataset(_store(), load, out, options)
    for meeting, why in result.skipped:
        console.print(f"skipped {meeting}: {why}")
    console.print(f"{result.records} conversation(s) -> {result.out} (export {result.export_id[:12]})")


@dataset_app.command("forget")
def forget_command(
    speaker: str = typer.Option(..., "--speaker", help="A person label (--person) or speaker id."),
    by: str | None = _BY,
    from_service: bool = _FROM_SERVICE,
    org: str | None = _ORG,
) -> None:
    """Withdraw a speaker from every future export and list the past exports that contained them."""
    if from_service:  # speaker ids repeat across the service's meetings: person labels only
        from greffier.store.consent import DatabaseConsentStore

        db, organisation_id = _service_store(org)
        try:
            withdrawn, past = forget(
                DatabaseConsentStore(db, organisation_id), speaker, _who(by), speaker_ids=False
            )
        finally:
            db.dispose()
    else:
        withdrawn, past = forget(_store(), speaker, _who(by))
        with local_store(get_settings()) as (db, organisation_id):
            if people.forget(db, organisation_id, speaker) is not None:
                console.print(f"voiceprints of {speaker} deleted")
    for record in withdrawn:
        console.print(f"withdrawn: {record.meeting} / {record.speaker}")
    if not withdrawn:
        console.print(f"no consent on record for {speaker}")
    for export in past:
        console.print(
            f"contained in past export {export.export_id[:12]} ({export.created_at}) at {export.out_dir}"
        )
