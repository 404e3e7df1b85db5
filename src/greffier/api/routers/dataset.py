"""Consent and licences of a meeting (`/api/meetings/{id}/license|consents`), and the open-dataset
export of the organisation (`/api/dataset/…`): a job that writes a zip, and `forget`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse
from sqlalchemy import select

from greffier.api.dataset_schemas import (
    ConsentIn,
    ConsentOut,
    ConsentsOut,
    ExportIn,
    ExportOut,
    ExportSummaryOut,
    ForgetIn,
    ForgetOut,
    LicenceChoice,
    LicenceIn,
    LicenceName,
    LicenceOut,
    ManifestEntry,
    SkippedMeeting,
    SpeakerConsentOut,
)
from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ERROR_RESPONSES, ApiError, not_found
from greffier.api.routers.meetings import load_meeting, load_version
from greffier.api.schemas import JobOut
from greffier.dataset.archive import MEDIA_TYPE
from greffier.dataset.consent import LICENCES, Consent, ConsentRecord, LicenceRecord, forget, now
from greffier.jobs.dataset_export import start_export
from greffier.jobs.queue import BrokerError
from greffier.store.accounts import Principal
from greffier.store.consent import DatabaseConsentStore, export_key
from greffier.store.models import DatasetExport, Job, JobState, utcnow
from greffier.transcript import Transcript

meetings_router = APIRouter(prefix="/api/meetings", tags=["consent"], responses=ERROR_RESPONSES)
dataset_router = APIRouter(prefix="/api/dataset", tags=["consent"], responses=ERROR_RESPONSES)
_CHOICES = [LicenceChoice(id=LicenceName(key), name=name) for key, name in LICENCES.items()]
_EXPORT_FIX = "use the id returned by POST /api/dataset/exports"


def _store(services: Services, principal: Principal) -> DatabaseConsentStore:
    return DatabaseConsentStore(services.db, principal.organisation_id)


def _consent_out(record: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        meeting_id=uuid.UUID(record.meeting),
        speaker=record.speaker,
        status=record.status.value,
        person=record.person,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,  # type: ignore[arg-type]  # ISO text, parsed by pydantic
    )


def _speakers(transcript: Transcript) -> dict[str, str]:
    """Speaker id -> display name: the listed speakers, then any other id a segment names."""
    names = {speaker.id: speaker.display_name for speaker in transcript.speakers}
    for segment in transcript.segments:
        if segment.speaker and segment.speaker not in names:
            names[segment.speaker] = segment.speaker
    return names


# -- licence ---------------------------------------------------------------------------------------------
def _licence_out(meeting_id: uuid.UUID, record: LicenceRecord | None) -> LicenceOut:
    return LicenceOut(
        meeting_id=meeting_id,
        license=LicenceName(record.licence if record else "none"),
        source=record.source if record else "greffier",
        recorded_by=record.recorded_by if record else None,
        recorded_at=record.recorded_at if record else None,  # type: ignore[arg-type]
        choices=_CHOICES,
    )


@meetings_router.get("/{meeting_id}/license", summary="The licence under which the meeting may be shared")
def get_licence(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> LicenceOut:
    meeting = load_meeting(services, principal, meeting_id)
    return _licence_out(meeting.id, _store(services, principal).licence(str(meeting.id)))


@meetings_router.put(
    "/{meeting_id}/license",
    summary="Choose the meeting's licence (none: never exported); the history is kept",
)
def put_licence(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: LicenceIn
) -> LicenceOut:
    meeting = load_meeting(services, principal, meeting_id)
    store, key = _store(services, principal), str(meeting.id)
    store.set_licence(LicenceRecord(key, body.license.value, principal.email, now(), key, body.source))
    return _licence_out(meeting.id, store.licence(key))


# -- consents --------------------------------------------------------------------------------------------
@meetings_router.get(
    "/{meeting_id}/consents",
    summary="Each speaker's latest consent (with their display name), and every consent recorded",
    responses={409: {"description": "not transcribed yet: there are no speakers"}},
)
def get_consents(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> ConsentsOut:
    transcript = Transcript.from_dict(load_version(services, principal, meeting_id, None).body)
    store, key = _store(services, principal), str(meeting_id)
    latest = {record.speaker: record for record in store.consents(key)}
    speakers = []
    for speaker, name in _speakers(transcript).items():
        record = latest.get(speaker)
        speakers.append(
            SpeakerConsentOut(
                speaker=speaker,
                name=name,
                status=record.status.value if record else None,
                person=record.person if record else None,
                recorded_by=record.recorded_by if record else None,
                recorded_at=record.recorded_at if record else None,  # type: ignore[arg-type]
            )
        )
    history = [_consent_out(record) for record in store.history(key)]
    return ConsentsOut(meeting_id=meeting_id, speakers=speakers, history=history)


@meetings_router.post(
    "/{meeting_id}/consents",
    status_code=201,
    summary="Record a speaker's consent (given, refused, withdrawn): the latest one counts",
    responses={409: {"description": "not transcribed yet: there are no speakers"}},
)
def post_consent(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: ConsentIn
) -> ConsentOut:
    transcript = Transcript.from_dict(load_version(services, principal, meeting_id, None).body)
    known = _speakers(transcript)
    if body.speaker not in known:
        fix = (
            f"use one of its speaker ids: {', '.join(known)} (GET /api/meetings/{meeting_id}/consents lists them)"
            if known
            else "this transcript has no speakers: transcribe the recording with diarize=true first"
        )
        raise ApiError(
            422,
            "unknown_speaker",
            f"speaker {body.speaker!r} is not in this meeting's transcript",
            fix,
            param="speaker",
        )
    record = ConsentRecord(
        str(meeting_id), body.speaker, Consent(body.status), principal.email, now(), body.person
    )
    _store(services, principal).record_consent(record)
    return _consent_out(record)


# -- forget ----------------------------------------------------------------------------------------------
@dataset_router.post(
    "/forget", summary="Withdraw a person's consent in every meeting; lists the past exports that held them"
)
def post_forget(services: ServicesDep, principal: PrincipalDep, body: ForgetIn) -> ForgetOut:
    store = _store(services, principal)
    withdrawn, past = forget(store, body.person, principal.email, speaker_ids=False)
    rows = store.written_exports({export.export_id for export in past})
    held = [row for row in rows if any(p == body.person for _, _, p in row.speakers.get("held", []))]
    return ForgetOut(
        person=body.person,
        withdrawn=[_consent_out(record) for record in withdrawn],
        exports=[
            ExportSummaryOut(id=row.id, created=row.created, digest=row.digest, location=row.location)
            for row in held
        ],
    )


# -- exports ---------------------------------------------------------------------------------------------
def _export_out(row: DatasetExport, job: Job | None) -> ExportOut:
    held = row.speakers.get("held", [])
    manifest = [line.split("  ", 1) for line in (row.manifest or "").splitlines() if "  " in line]
    written = row.manifest is not None
    return ExportOut(
        id=row.id,
        state=job.state if job is not None else "succeeded",  # type: ignore[arg-type]
        job=JobOut.model_validate(job) if job is not None else None,
        created=row.created,
        created_by=row.created_by,
        options=ExportIn.model_validate(row.options),
        records=row.records,
        digest=row.digest if written else None,
        manifest=[ManifestEntry(path=path, sha256=digest) for digest, path in manifest],
        meetings=sorted({uuid.UUID(m) for m, _, _ in held}),
        persons=sorted({p for _, _, p in held if p}),
        skipped=[SkippedMeeting(meeting_id=m, reason=why) for m, why in row.speakers.get("skipped", [])],
        archive=f"/api/dataset/exports/{row.id}/archive"
        if written and row.withdrawn is None and job is not None
        else None,
        withdrawn=row.withdrawn,
        withdrawn_reason=row.withdrawn_reason,
    )


def _load_export(
    services: Services, principal: Principal, export_id: uuid.UUID
) -> tuple[DatasetExport, Job | None]:
    with services.db.read() as session:
        row = session.scalar(
            select(DatasetExport).where(
                DatasetExport.id == export_id, DatasetExport.organisation_id == principal.organisation_id
            )
        )
        job = session.get(Job, row.job_id) if row is not None and row.job_id is not None else None
    if row is None:
        raise not_found("dataset export", export_id, _EXPORT_FIX)
    return row, job


@dataset_router.post(
    "/exports",
    status_code=202,
    summary="Export the licensed, consented, pseudonymised meetings as a dataset: starts a job",
)
def post_export(
    services: ServicesDep, principal: PrincipalDep, body: ExportIn, response: Response
) -> ExportOut:
    with services.db.write() as session:
        job, row = start_export(
            session,
            services.settings,
            principal.organisation_id,
            principal.email,
            body.model_dump(mode="json"),
        )
    try:
        services.queue.submit(job.id, job.queue)
    except BrokerError as exc:
        with services.db.write() as session:
            failed = session.get(Job, job.id)
            if failed is not None:
                failed.state, failed.error, failed.finished = JobState.FAILED, str(exc), utcnow()
        raise
    response.headers["Location"] = f"/api/dataset/exports/{row.id}"
    return _export_out(row, job)


@dataset_router.get(
    "/exports/{export_id}", summary="An export: its job's state, then its manifest and contents"
)
def get_export(services: ServicesDep, principal: PrincipalDep, export_id: uuid.UUID) -> ExportOut:
    return _export_out(*_load_export(services, principal, export_id))


@dataset_router.get(
    "/exports/{export_id}/archive",
    summary="The export as a zip: data/, README.md (the data card), checksums.sha256",
    response_class=FileResponse,
    responses={
        200: {"content": {MEDIA_TYPE: {}}, "description": "the archive"},
        409: {"description": "the export is not written yet, or failed"},
        410: {"description": "the export was withdrawn: a meeting it held was erased"},
    },
)
def get_archive(services: ServicesDep, principal: PrincipalDep, export_id: uuid.UUID) -> FileResponse:
    row, job = _load_export(services, principal, export_id)
    if row.withdrawn is not None:
        raise ApiError(
            410,
            "withdrawn",
            f"export {export_id} was withdrawn and its archive deleted: {row.withdrawn_reason}",
            "start a new export with POST /api/dataset/exports: it leaves the erased meetings out",
        )
    key = export_key(principal.organisation_id, row.id)
    if job is None or row.manifest is None or not services.blobs.exists(key):
        state = job.state if job is not None else "written by the CLI, not stored by the service"
        raise ApiError(
            409,
            "not_ready",
            f"the archive of export {export_id} is not available ({state})",
            f"poll GET /api/dataset/exports/{export_id} until its state is 'succeeded'"
            if job is not None and job.state != JobState.FAILED
            else "start a new export with POST /api/dataset/exports",
        )
    return FileResponse(
        services.blobs.path(key),
        media_type=MEDIA_TYPE,
        filename=f"greffier-dataset-{(row.digest or '')[:12]}.zip",
    )
