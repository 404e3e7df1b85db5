"""Consent and licences of the service's meetings, and the open-dataset export of an organisation (a
job that writes a zip; the CLI's `--from-service` runs the same export, `app.dataset_export`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from greffier.app.backends import Backends, submit
from greffier.app.dataset_export import start_export
from greffier.app.meetings import load_meeting, load_version
from greffier.assist.types import speaker_names
from greffier.dataset.consent import Consent, ConsentRecord, LicenceRecord, forget, now
from greffier.errors import Gone, Invalid, NotFound, NotReady
from greffier.store import people
from greffier.store.accounts import Principal
from greffier.store.consent import DatabaseConsentStore, export_key
from greffier.store.models import DatasetExport, Job, JobState
from greffier.transcript import Transcript

_EXPORT_FIX = "use the id returned by POST /api/dataset/exports"


@dataclass(frozen=True)
class SpeakerConsent:
    speaker: str
    name: str
    latest: ConsentRecord | None
    """The consent that counts; None: never asked."""


def _store(backends: Backends, principal: Principal) -> DatabaseConsentStore:
    return DatabaseConsentStore(backends.db, principal.organisation_id)


def _speakers_of(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> dict[str, str]:
    """Speaker id -> display name, in the latest transcript version."""
    _, row = load_version(backends, principal, meeting_id)
    return speaker_names(Transcript.from_dict(row.body))


# -- licence ---------------------------------------------------------------------------------------------
def licence(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> LicenceRecord | None:
    """The meeting's licence; None: never chosen."""
    meeting = load_meeting(backends, principal, meeting_id)
    return _store(backends, principal).licence(str(meeting.id))


def set_licence(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, name: str, source: str
) -> LicenceRecord | None:
    """Choose the meeting's licence (`dataset.consent.LICENCES`; none: never exported)."""
    meeting = load_meeting(backends, principal, meeting_id)
    store, key = _store(backends, principal), str(meeting.id)
    store.set_licence(LicenceRecord(key, name, principal.email, now(), key, source))
    return store.licence(key)


# -- consents --------------------------------------------------------------------------------------------
def consents(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID
) -> tuple[list[SpeakerConsent], list[ConsentRecord]]:
    """Each speaker of the latest transcript version with the consent that counts, and every consent
    recorded for the meeting."""
    names = _speakers_of(backends, principal, meeting_id)
    store, key = _store(backends, principal), str(meeting_id)
    latest = {record.speaker: record for record in store.consents(key)}
    found = [SpeakerConsent(speaker, name, latest.get(speaker)) for speaker, name in names.items()]
    return found, store.history(key)


def record_consent(
    backends: Backends,
    principal: Principal,
    meeting_id: uuid.UUID,
    speaker: str,
    status: Consent,
    person: str | None,
) -> ConsentRecord:
    """A speaker's consent (the latest counts); `speaker` must be in the latest transcript version."""
    known = _speakers_of(backends, principal, meeting_id)
    if speaker not in known:
        fix = (
            f"use one of its speaker ids: {', '.join(known)} (GET /api/meetings/{meeting_id}/consents lists them)"
            if known
            else "this transcript has no speakers: transcribe the recording with diarize=true first"
        )
        raise Invalid(
            f"speaker {speaker!r} is not in this meeting's transcript",
            fix,
            kind="unknown_speaker",
            param="speaker",
        )
    record = ConsentRecord(str(meeting_id), speaker, status, principal.email, now(), person)
    _store(backends, principal).record_consent(record)
    return record


def forget_person(
    backends: Backends, principal: Principal, person: str
) -> tuple[list[ConsentRecord], list[DatasetExport]]:
    """Withdraw `person`'s consent in every meeting, and delete the voiceprints of the person of that
    name or id (`store.people`): the consents withdrawn, and the past exports that held them."""
    people.forget(backends.db, principal.organisation_id, person)
    store = _store(backends, principal)
    withdrawn, past = forget(store, person, principal.email, speaker_ids=False)
    rows = store.written_exports({export.export_id for export in past})
    return withdrawn, [row for row in rows if any(p == person for _, _, p in row.speakers.get("held", []))]


# -- exports ---------------------------------------------------------------------------------------------
def start_dataset_export(
    backends: Backends, principal: Principal, options: dict[str, Any]
) -> tuple[DatasetExport, Job]:
    """The organisation's dataset export with these options (`dataset_export.options_from`):
    its row, and the queued job that writes it."""
    with backends.db.write() as session:
        job, row = start_export(
            session, backends.settings, principal.organisation_id, principal.email, options
        )
    submit(backends, job)
    return row, job


def load_export(
    backends: Backends, principal: Principal, export_id: uuid.UUID
) -> tuple[DatasetExport, Job | None]:
    """An export and its job (None: written by the CLI)."""
    with backends.db.read() as session:
        row = session.scalar(
            select(DatasetExport).where(
                DatasetExport.id == export_id, DatasetExport.organisation_id == principal.organisation_id
            )
        )
        job = session.get(Job, row.job_id) if row is not None and row.job_id is not None else None
    if row is None:
        raise NotFound(f"no dataset export {export_id} in your organisation", _EXPORT_FIX)
    return row, job


def export_archive(
    backends: Backends, principal: Principal, export_id: uuid.UUID
) -> tuple[DatasetExport, Path]:
    """The export and where its zip is; `Gone` once withdrawn, `NotReady` until written."""
    row, job = load_export(backends, principal, export_id)
    if row.withdrawn is not None:
        raise Gone(
            f"export {export_id} was withdrawn and its archive deleted: {row.withdrawn_reason}",
            "start a new export with POST /api/dataset/exports: it leaves the erased meetings out",
        )
    key = export_key(principal.organisation_id, row.id)
    if job is None or row.manifest is None or not backends.blobs.exists(key):
        state = job.state if job is not None else "written by the CLI, not stored by the service"
        raise NotReady(
            f"the archive of export {export_id} is not available ({state})",
            f"poll GET /api/dataset/exports/{export_id} until its state is 'succeeded'"
            if job is not None and job.state != JobState.FAILED
            else "start a new export with POST /api/dataset/exports",
        )
    return row, backends.blobs.path(key)
