"""Consent and licences of a meeting (`/api/meetings/{id}/license|consents`), and the open-dataset
export of the organisation (`/api/dataset/…`): a job that writes a zip, and `forget`."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response
from fastapi.responses import FileResponse

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
from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.api.schemas import JobOut
from greffier.app import consent
from greffier.dataset.archive import MEDIA_TYPE
from greffier.dataset.consent import LICENCES, Consent, ConsentRecord, LicenceRecord
from greffier.store.models import DatasetExport, Job

meetings_router = APIRouter(prefix="/api/meetings", tags=["consent"], responses=ERROR_RESPONSES)
dataset_router = APIRouter(prefix="/api/dataset", tags=["consent"], responses=ERROR_RESPONSES)
_CHOICES = [LicenceChoice(id=LicenceName(key), name=name) for key, name in LICENCES.items()]


def _consent_out(record: ConsentRecord) -> ConsentOut:
    return ConsentOut(
        meeting_id=uuid.UUID(record.meeting),
        speaker=record.speaker,
        status=record.status.value,
        person=record.person,
        recorded_by=record.recorded_by,
        recorded_at=record.recorded_at,  # type: ignore[arg-type]  # ISO text, parsed by pydantic
    )


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
    return _licence_out(meeting_id, consent.licence(services, principal, meeting_id))


@meetings_router.put(
    "/{meeting_id}/license",
    summary="Choose the meeting's licence (none: never exported); the history is kept",
)
def put_licence(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: LicenceIn
) -> LicenceOut:
    record = consent.set_licence(services, principal, meeting_id, body.license.value, body.source)
    return _licence_out(meeting_id, record)


# -- consents --------------------------------------------------------------------------------------------
@meetings_router.get(
    "/{meeting_id}/consents",
    summary="Each speaker's latest consent (with their display name), and every consent recorded",
    responses={409: {"description": "not transcribed yet: there are no speakers"}},
)
def get_consents(services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID) -> ConsentsOut:
    found, history = consent.consents(services, principal, meeting_id)
    speakers = [
        SpeakerConsentOut(
            speaker=speaker.speaker,
            name=speaker.name,
            status=speaker.latest.status.value if speaker.latest else None,
            person=speaker.latest.person if speaker.latest else None,
            recorded_by=speaker.latest.recorded_by if speaker.latest else None,
            recorded_at=speaker.latest.recorded_at if speaker.latest else None,  # type: ignore[arg-type]
        )
        for speaker in found
    ]
    return ConsentsOut(
        meeting_id=meeting_id, speakers=speakers, history=[_consent_out(record) for record in history]
    )


@meetings_router.post(
    "/{meeting_id}/consents",
    status_code=201,
    summary="Record a speaker's consent (given, refused, withdrawn): the latest one counts",
    responses={409: {"description": "not transcribed yet: there are no speakers"}},
)
def post_consent(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: ConsentIn
) -> ConsentOut:
    record = consent.record_consent(
        services, principal, meeting_id, body.speaker, Consent(body.status), body.person
    )
    return _consent_out(record)


# -- forget ----------------------------------------------------------------------------------------------
@dataset_router.post(
    "/forget", summary="Withdraw a person's consent in every meeting; lists the past exports that held them"
)
def post_forget(services: ServicesDep, principal: PrincipalDep, body: ForgetIn) -> ForgetOut:
    withdrawn, held = consent.forget_person(services, principal, body.person)
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


@dataset_router.post(
    "/exports",
    status_code=202,
    summary="Export the licensed, consented, pseudonymised meetings as a dataset: starts a job",
)
def post_export(
    services: ServicesDep, principal: PrincipalDep, body: ExportIn, response: Response
) -> ExportOut:
    row, job = consent.start_dataset_export(services, principal, body.model_dump(mode="json"))
    response.headers["Location"] = f"/api/dataset/exports/{row.id}"
    return _export_out(row, job)


@dataset_router.get(
    "/exports/{export_id}", summary="An export: its job's state, then its manifest and contents"
)
def get_export(services: ServicesDep, principal: PrincipalDep, export_id: uuid.UUID) -> ExportOut:
    return _export_out(*consent.load_export(services, principal, export_id))


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
    row, path = consent.export_archive(services, principal, export_id)
    return FileResponse(
        path,
        media_type=MEDIA_TYPE,
        filename=f"greffier-dataset-{(row.digest or '')[:12]}.zip",
    )
