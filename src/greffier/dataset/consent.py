"""Who agreed to share what: consent per speaker per meeting, a licence per meeting, and the export log.

`ConsentStore` is the interface the exporter needs; `SqliteConsentStore` keeps it in one SQLite file in
`Settings.data_dir` so that the CLI works on transcript files with no server. The service's database can
implement the same protocol. Every table is append-only: the latest record wins, history stays auditable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from greffier.errors import OptionsError


class Consent(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


LICENCES = {
    "cc-by-4.0": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
    "cc-by-sa-4.0": "Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0)",
    "none": "not shared",
}


def parse_licence(value: str) -> str:
    key = value.strip().lower().replace(" ", "-").replace("_", "-")
    if key not in LICENCES:
        raise OptionsError(f"unknown licence {value!r}", f"choose among {', '.join(LICENCES)}")
    return key


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ConsentRecord:
    meeting: str
    speaker: str  # the speaker id in that meeting's transcript
    status: Consent
    recorded_by: str
    recorded_at: str
    person: str | None = None  # the same human across meetings (for `forget`); never exported


@dataclass(frozen=True)
class LicenceRecord:
    meeting: str
    licence: str
    recorded_by: str
    recorded_at: str
    transcript: str  # where the transcript is: a file path here, a database reference in the service
    source: str = "greffier"  # the provenance shown in the dataset (e.g. "simsamu"); never a file path


@dataclass(frozen=True)
class ExportRecord:
    export_id: str  # the manifest's SHA-256: identical exports share it
    created_at: str
    out_dir: str
    speakers: tuple[tuple[str, str, str | None], ...]  # (meeting, speaker, person) whose turns it holds


class ConsentStore(Protocol):
    def record_consent(self, record: ConsentRecord) -> None: ...
    def consents(self, meeting: str | None = None) -> list[ConsentRecord]: ...  # latest per speaker
    def set_licence(self, record: LicenceRecord) -> None: ...
    def licences(self) -> list[LicenceRecord]: ...  # latest per meeting
    def log_export(self, record: ExportRecord) -> None: ...
    def exports(self) -> list[ExportRecord]: ...


def consenting(store: ConsentStore, meeting: str) -> set[str]:
    return {c.speaker for c in store.consents(meeting) if c.status is Consent.GIVEN}


def forget(
    store: ConsentStore, who: str, recorded_by: str, *, speaker_ids: bool = True
) -> tuple[list[ConsentRecord], list[ExportRecord]]:
    """Withdraw `who` (a person label, or with `speaker_ids` a speaker id too) from every meeting; return
    the withdrawals made and the past exports that contained them (those copies are out of our hands:
    tell their holders). The service passes `speaker_ids=False`: its speaker ids repeat across meetings."""
    withdrawn = []
    for record in store.consents():
        matches = who == record.person or (speaker_ids and who == record.speaker)
        if matches and record.status is not Consent.WITHDRAWN:
            new = ConsentRecord(
                record.meeting, record.speaker, Consent.WITHDRAWN, recorded_by, now(), record.person
            )
            store.record_consent(new)
            withdrawn.append(new)
    past = [
        e
        for e in store.exports()
        if any(who == person or (speaker_ids and who == speaker) for _, speaker, person in e.speakers)
    ]
    return withdrawn, past


_SCHEMA = """
CREATE TABLE IF NOT EXISTS consent (meeting TEXT, speaker TEXT, person TEXT, status TEXT, recorded_by TEXT,
                                    recorded_at TEXT);
CREATE TABLE IF NOT EXISTS licence (meeting TEXT, licence TEXT, recorded_by TEXT, recorded_at TEXT,
                                    transcript TEXT, source TEXT);
CREATE TABLE IF NOT EXISTS export_log (export_id TEXT, created_at TEXT, out_dir TEXT, speakers TEXT);
"""


class SqliteConsentStore:
    """`ConsentStore` in one SQLite file (default: `<data_dir>/dataset/consent.sqlite3`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record_consent(self, record: ConsentRecord) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO consent VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.meeting,
                    record.speaker,
                    record.person,
                    record.status.value,
                    record.recorded_by,
                    record.recorded_at,
                ),
            )

    def consents(self, meeting: str | None = None) -> list[ConsentRecord]:
        with self._db() as db:
            rows = db.execute(
                "SELECT meeting, speaker, person, status, recorded_by, recorded_at FROM consent "
                "WHERE rowid IN (SELECT MAX(rowid) FROM consent GROUP BY meeting, speaker) "
                + ("AND meeting = ? " if meeting else "")
                + "ORDER BY meeting, speaker",
                (meeting,) if meeting else (),
            ).fetchall()
        return [ConsentRecord(m, s, Consent(st), by, at, p) for m, s, p, st, by, at in rows]

    def set_licence(self, record: LicenceRecord) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO licence VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.meeting,
                    record.licence,
                    record.recorded_by,
                    record.recorded_at,
                    record.transcript,
                    record.source,
                ),
            )

    def licences(self) -> list[LicenceRecord]:
        with self._db() as db:
            rows = db.execute(
                "SELECT meeting, licence, recorded_by, recorded_at, transcript, source FROM licence "
                "WHERE rowid IN (SELECT MAX(rowid) FROM licence GROUP BY meeting) ORDER BY meeting"
            ).fetchall()
        return [LicenceRecord(*row) for row in rows]

    def log_export(self, record: ExportRecord) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO export_log VALUES (?, ?, ?, ?)",
                (record.export_id, record.created_at, record.out_dir, json.dumps(record.speakers)),
            )

    def exports(self) -> list[ExportRecord]:
        with self._db() as db:
            rows = db.execute(
                "SELECT export_id, created_at, out_dir, speakers FROM export_log ORDER BY rowid"
            )
            return [
                ExportRecord(i, at, out, tuple(tuple(s) for s in json.loads(sp))) for i, at, out, sp in rows
            ]
