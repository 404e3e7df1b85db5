"""The dataset's `ConsentStore` in the service database, scoped to one organisation.

Meetings are named by their id (`str(uuid)`); a licence's `transcript` is that id too (the exporter
reads the latest transcript version). Consents and licences are append-only: the latest entry wins and
the history stays auditable. Exports are rows of `dataset_exports`: the API creates one before its job
runs; `log_export` then fills it (or adds one for an export written by the CLI). Erasing a meeting
withdraws every export that held it (`withdraw_exports`): its archive is deleted, and the row says when,
which records went and what cannot be recalled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from greffier.dataset.consent import Consent, ConsentRecord, ExportRecord, LicenceRecord
from greffier.dataset.export import record_id
from greffier.store.db import Database
from greffier.store.models import ConsentEntry, DatasetExport, Meeting, MeetingLicence, utcnow


def export_key(organisation_id: uuid.UUID, export_id: uuid.UUID) -> str:
    """The blob key of an export's archive (exports written by the service; the CLI writes a folder)."""
    return f"orgs/{organisation_id.hex}/dataset-exports/{export_id.hex}.zip"


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _consent(row: ConsentEntry) -> ConsentRecord:
    return ConsentRecord(
        str(row.meeting_id),
        row.speaker,
        Consent(row.status),
        row.recorded_by,
        _iso(row.recorded_at),
        row.person,
    )


def _licence(row: MeetingLicence) -> LicenceRecord:
    meeting = str(row.meeting_id)
    return LicenceRecord(meeting, row.licence, row.recorded_by, _iso(row.recorded_at), meeting, row.source)


def _latest(model: type[ConsentEntry] | type[MeetingLicence], *group: Any) -> Select[tuple[int]]:
    """The ids of the latest entry per group (ids grow with time: append-only tables)."""
    return select(func.max(model.id)).group_by(*group)


@dataclass
class DatabaseConsentStore:
    """`greffier.dataset.consent.ConsentStore` over the service's tables, for one organisation.
    `export`: the `dataset_exports` row that `log_export` completes (an API export's job)."""

    db: Database
    organisation_id: uuid.UUID
    export: uuid.UUID | None = None

    def _meeting(self, session: Session, meeting: str) -> uuid.UUID:
        try:
            meeting_id = uuid.UUID(meeting)
        except ValueError:
            raise KeyError(f"no meeting {meeting!r}") from None
        found = session.scalar(
            select(Meeting.id).where(
                Meeting.id == meeting_id, Meeting.organisation_id == self.organisation_id
            )
        )
        if found is None:
            raise KeyError(f"no meeting {meeting} in this organisation")
        return found

    # -- consents ----------------------------------------------------------------------------------
    def record_consent(self, record: ConsentRecord) -> None:
        with self.db.write() as session:
            session.add(
                ConsentEntry(
                    organisation_id=self.organisation_id,
                    meeting_id=self._meeting(session, record.meeting),
                    speaker=record.speaker,
                    person=record.person,
                    status=record.status.value,
                    recorded_by=record.recorded_by,
                    recorded_at=_parse(record.recorded_at),
                )
            )

    def consents(self, meeting: str | None = None) -> list[ConsentRecord]:
        """The latest consent per speaker (of one meeting, or of every meeting of the organisation)."""
        where = [ConsentEntry.organisation_id == self.organisation_id]
        with self.db.read() as session:
            if meeting is not None:
                where.append(ConsentEntry.meeting_id == self._meeting(session, meeting))
            latest = _latest(ConsentEntry, ConsentEntry.meeting_id, ConsentEntry.speaker).where(*where)
            rows = session.scalars(
                select(ConsentEntry)
                .where(ConsentEntry.id.in_(latest))
                .order_by(ConsentEntry.meeting_id, ConsentEntry.speaker)
            ).all()
        return [_consent(row) for row in rows]

    def history(self, meeting: str) -> list[ConsentRecord]:
        """Every consent ever recorded for a meeting, oldest first."""
        with self.db.read() as session:
            rows = session.scalars(
                select(ConsentEntry)
                .where(
                    ConsentEntry.organisation_id == self.organisation_id,
                    ConsentEntry.meeting_id == self._meeting(session, meeting),
                )
                .order_by(ConsentEntry.id)
            ).all()
        return [_consent(row) for row in rows]

    # -- licences ----------------------------------------------------------------------------------
    def set_licence(self, record: LicenceRecord) -> None:
        with self.db.write() as session:
            session.add(
                MeetingLicence(
                    organisation_id=self.organisation_id,
                    meeting_id=self._meeting(session, record.meeting),
                    licence=record.licence,
                    source=record.source,
                    recorded_by=record.recorded_by,
                    recorded_at=_parse(record.recorded_at),
                )
            )

    def licences(self) -> list[LicenceRecord]:
        """The latest licence per meeting, ordered by meeting id (the exporter sorts records anyway)."""
        with self.db.read() as session:
            latest = _latest(MeetingLicence, MeetingLicence.meeting_id).where(
                MeetingLicence.organisation_id == self.organisation_id
            )
            rows = session.scalars(
                select(MeetingLicence)
                .where(MeetingLicence.id.in_(latest))
                .order_by(MeetingLicence.meeting_id)
            ).all()
        return [_licence(row) for row in rows]

    def licence(self, meeting: str) -> LicenceRecord | None:
        return next((record for record in self.licences() if record.meeting == meeting), None)

    # -- exports -----------------------------------------------------------------------------------
    def log_export(self, record: ExportRecord) -> None:
        with self.db.write() as session:
            row = None
            if self.export is not None:
                row = session.scalar(
                    select(DatasetExport).where(
                        DatasetExport.id == self.export, DatasetExport.organisation_id == self.organisation_id
                    )
                )
            if row is None:
                row = DatasetExport(organisation_id=self.organisation_id, created_by="cli", options={})
                session.add(row)
            row.digest = record.export_id
            row.location = record.out_dir
            row.speakers = {**(row.speakers or {}), "held": [list(s) for s in record.speakers]}

    def exports(self) -> list[ExportRecord]:
        """Written exports, oldest first."""
        return [export_record(row) for row in self.written_exports()]

    def written_exports(self, digests: set[str] | None = None) -> list[DatasetExport]:
        """The rows of written exports (of these manifest digests), oldest first."""
        where = [DatasetExport.organisation_id == self.organisation_id, DatasetExport.digest.is_not(None)]
        if digests is not None:
            where.append(DatasetExport.digest.in_(digests))
        with self.db.read() as session:
            query = select(DatasetExport).where(*where).order_by(DatasetExport.created, DatasetExport.id)
            return list(session.scalars(query).all())


def export_record(row: DatasetExport) -> ExportRecord:
    held = tuple((m, s, p) for m, s, p in (row.speakers or {}).get("held", []))
    return ExportRecord(row.digest or "", _iso(row.created), row.location or str(row.id), held)


def held_meetings(row: DatasetExport) -> set[str]:
    return {meeting for meeting, _, _ in (row.speakers or {}).get("held", [])}


def _forget_meetings(row: DatasetExport, erased: set[str]) -> None:
    """The export's record names the erased meetings no more (held speakers, skipped meetings)."""
    speakers = row.speakers or {}
    row.speakers = {
        **speakers,
        **{part: [e for e in speakers.get(part, []) if e[0] not in erased] for part in ("held", "skipped")},
    }


def withdraw(row: DatasetExport, erased: set[str]) -> str | None:
    """Withdraw an export because meetings it held (`erased`, ids as text) are erased: it says when and
    which records went. Returns the archive's key, to delete once the transaction commits (None: the
    CLI wrote it to a folder of its own)."""
    _forget_meetings(row, erased)
    records = ", ".join(sorted(record_id(meeting) for meeting in erased))
    where = (
        "its archive was deleted"
        if row.job_id is not None
        else f"it was written by the CLI to {row.location}: delete that folder"
    )
    now = utcnow()
    row.withdrawn = row.withdrawn or now
    row.withdrawn_reason = "\n".join(
        filter(
            None,
            [
                row.withdrawn_reason,
                f"{now.isoformat(timespec='seconds')}: record(s) {records} erased (their meeting was "
                f"deleted); {where}. Copies downloaded or published before cannot be recalled by "
                "Greffier: remove these records from them, or replace them with a new export.",
            ],
        )
    )
    return export_key(row.organisation_id, row.id) if row.job_id is not None else None


def withdraw_exports(session: Session, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> list[str]:
    """In the erasure's transaction (rows locked): the organisation's exports that held the meeting are
    withdrawn, the others no longer list it among the meetings they skipped. Returns the archive keys
    to delete after the commit."""
    erased, keys = {str(meeting_id)}, []
    rows = session.scalars(
        select(DatasetExport).where(DatasetExport.organisation_id == organisation_id).with_for_update()
    ).all()
    for row in rows:
        if erased & held_meetings(row):
            if key := withdraw(row, erased):
                keys.append(key)
        else:
            _forget_meetings(row, erased)
    return keys
