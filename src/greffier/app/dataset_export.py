"""The open-dataset export from the service database: the archive the `dataset_export` task writes
(queue `llm`: it runs the pseudonymiser's language model) and the same export as a folder for
`greffier dataset export --from-service`.

The exporter is the file mode's (`greffier.dataset.export`) reading `DatabaseConsentStore`: licensed
meetings, consenting speakers of their latest transcript version, pseudonymised. The task's archive is
the folder written in a temporary directory and packed as one zip (the same bytes for the same inputs)
into the blob store, with its manifest and the speakers it held recorded.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from greffier.config import Settings
from greffier.dataset.archive import pack
from greffier.dataset.consent import LicenceRecord, parse_licence
from greffier.dataset.export import MANIFEST, ExportOptions, ExportResult, export_dataset
from greffier.dataset.pseudonymise import options_from_settings
from greffier.errors import GreffierError
from greffier.jobs.models import DatasetExportJob
from greffier.jobs.registry import create_job
from greffier.store.blobs import BlobStore
from greffier.store.consent import DatabaseConsentStore, export_key, held_meetings, withdraw
from greffier.store.db import Database
from greffier.store.meetings import get_version
from greffier.store.models import DatasetExport, Job, Meeting, utcnow
from greffier.transcript import Transcript


def options_from(settings: Settings, options: dict[str, Any]) -> ExportOptions:
    """`ExportOptions` from an export's stored options (format, licenses, mask_refused, surrogates, name)."""
    return ExportOptions(
        format=options.get("format", "jsonl"),
        licences=tuple(parse_licence(x) for x in options.get("licenses", ())),
        mask_refused=bool(options.get("mask_refused")),
        pseudonymise=options_from_settings(settings, bool(options.get("surrogates"))),
        name=options.get("name") or ExportOptions.name,
    )


def start_export(
    session: Session, settings: Settings, organisation_id: uuid.UUID, by: str, options: dict[str, Any]
) -> tuple[Job, DatasetExport]:
    """A queued `dataset_export` job and the export row it will fill (in the caller's transaction)."""
    export_id = uuid.uuid4()
    job = create_job(
        session,
        settings,
        organisation_id=organisation_id,
        meeting_id=None,
        job=DatasetExportJob(export=export_id),
    )
    session.flush()
    row = DatasetExport(
        id=export_id,
        organisation_id=organisation_id,
        job_id=job.id,
        created=utcnow(),
        created_by=by,
        options=options,
        speakers={},
    )
    session.add(row)
    session.flush()
    return job, row


def export_from_service(
    db: Database,
    organisation_id: uuid.UUID,
    out: Path,
    options: ExportOptions,
    export: uuid.UUID | None = None,
) -> ExportResult:
    """The organisation's licensed, consented meetings as a dataset folder `out`."""
    store = DatabaseConsentStore(db, organisation_id, export)

    def load(record: LicenceRecord) -> Transcript:
        with db.read() as session:
            row = get_version(session, uuid.UUID(record.transcript))
        if row is None:
            raise GreffierError(
                f"meeting {record.meeting} has a licence but no transcript yet",
                "wait for its transcription to finish, or set its licence to none",
            )
        return Transcript.from_dict(row.body)

    return export_dataset(store, load, out, options)


def write_archive(
    db: Database,
    blobs: BlobStore,
    settings: Settings,
    organisation_id: uuid.UUID,
    export_id: uuid.UUID,
    progress: Callable[[str, float], None],
) -> bool:
    """Export `export_id` (a `start_export` row) as a zip into `blobs`; False when that row was deleted.
    Run again after a crash, it finds its finished work and does nothing."""
    with db.read() as session:
        row = session.scalar(
            select(DatasetExport).where(
                DatasetExport.id == export_id, DatasetExport.organisation_id == organisation_id
            )
        )
    if row is None:
        return False
    key = export_key(organisation_id, export_id)
    if row.manifest is not None and blobs.exists(key):
        return True  # an earlier attempt finished its work
    progress("export", 0.0)
    with tempfile.TemporaryDirectory(prefix="greffier-export-") as folder:
        out = Path(folder) / "dataset"
        result = export_from_service(db, organisation_id, out, options_from(settings, row.options), export_id)
        archive = pack(out, result.files)
        manifest = (out / MANIFEST).read_text(encoding="utf-8")
    store_archive(db, blobs, export_id, key, archive, manifest, result)
    return True


def store_archive(
    db: Database,
    blobs: BlobStore,
    export_id: uuid.UUID,
    key: str,
    archive: bytes,
    manifest: str,
    result: ExportResult,
) -> None:
    """The archive, then its row. When the export was withdrawn meanwhile, or a meeting it holds was
    erased while it was written (it is withdrawn now), the archive is deleted again: the row is locked
    and the erasure locks it too, so one of the two sees the other."""
    blobs.put_bytes(key, archive)
    with db.write() as session:
        row = session.scalar(select(DatasetExport).where(DatasetExport.id == export_id).with_for_update())
        if row is not None:
            row.location, row.manifest, row.records = key, manifest, result.records
            row.speakers = {**(row.speakers or {}), "skipped": [list(s) for s in result.skipped]}
            held = held_meetings(row)
            present = session.scalars(select(Meeting.id).where(Meeting.id.in_([uuid.UUID(m) for m in held])))
            if erased := held - {str(meeting) for meeting in present}:
                withdraw(row, erased)
        stored = row is not None and row.withdrawn is None
    if not stored:
        blobs.delete_prefix(key)
