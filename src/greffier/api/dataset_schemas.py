"""The JSON shapes of consent, licences and dataset exports (`api/routers/dataset.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool

from greffier.api.schemas import JobOut, JobStateName
from greffier.dataset.consent import LICENCES
from greffier.dataset.options import FORMATS

LicenceName = StrEnum("LicenceName", {key: key for key in LICENCES})
SharedLicence = StrEnum("SharedLicence", {key: key for key in LICENCES if key != "none"})
DatasetFormat = StrEnum("DatasetFormat", {name: name for name in FORMATS})
ConsentStatus = Literal["given", "refused", "withdrawn"]
Label = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]
"""A short printable text (no control characters: it ends up in Markdown and JSON files)."""


class LicenceChoice(BaseModel):
    id: LicenceName
    name: str


class LicenceIn(BaseModel):
    license: LicenceName = Field(description="none: this meeting is never exported")
    source: Label = Field("greffier", description="the provenance shown in the dataset (never a file path)")


class LicenceOut(BaseModel):
    meeting_id: uuid.UUID
    license: LicenceName = Field(description="none until a licence is chosen")
    source: str
    recorded_by: str | None = Field(description="who chose it; null: never chosen")
    recorded_at: datetime | None
    choices: list[LicenceChoice] = Field(description="the licences a meeting can have")


class ConsentIn(BaseModel):
    speaker: Label = Field(description="a speaker id of the meeting's transcript (e.g. SPEAKER_00)")
    status: ConsentStatus
    person: Label | None = Field(
        None, description="a pseudonymous label for this person across meetings (for forget); never exported"
    )


class ConsentOut(BaseModel):
    meeting_id: uuid.UUID
    speaker: str
    status: ConsentStatus
    person: str | None
    recorded_by: str
    recorded_at: datetime


class SpeakerConsentOut(BaseModel):
    speaker: str = Field(description="the speaker id in the transcript")
    name: str = Field(description="the speaker's display name")
    status: ConsentStatus | None = Field(description="the latest consent; null: none recorded (not exported)")
    person: str | None
    recorded_by: str | None
    recorded_at: datetime | None


class ConsentsOut(BaseModel):
    meeting_id: uuid.UUID
    speakers: list[SpeakerConsentOut] = Field(description="every speaker of the latest transcript")
    history: list[ConsentOut] = Field(description="every consent recorded, oldest first (the latest wins)")


class ForgetIn(BaseModel):
    person: Label = Field(description="the person label given with their consents")


class ExportSummaryOut(BaseModel):
    id: uuid.UUID
    created: datetime
    digest: str | None = Field(description="SHA-256 of the export's checksums.sha256")
    location: str | None = Field(
        description="where it was written (the service's archive, or the CLI's folder)"
    )


class ForgetOut(BaseModel):
    person: str
    withdrawn: list[ConsentOut] = Field(description="the consents withdrawn now")
    exports: list[ExportSummaryOut] = Field(
        description="past exports that held this person: copies out of our hands, tell their holders"
    )


class ExportIn(BaseModel):
    format: DatasetFormat = DatasetFormat("jsonl")
    licenses: list[SharedLicence] = Field(
        default_factory=list,
        max_length=len(LICENCES),
        description="only these licences; empty: all shared ones",
    )
    mask_refused: StrictBool = Field(
        False, description="keep non-consenting turns as [masqué] instead of removing them"
    )
    surrogates: StrictBool = Field(False, description="realistic fake values instead of [Nom_1] placeholders")
    name: Label = Field("Greffier conversations", description="the dataset's name in its data card")


class ManifestEntry(BaseModel):
    path: str
    sha256: str


class SkippedMeeting(BaseModel):
    meeting_id: str
    reason: str


class ExportOut(BaseModel):
    id: uuid.UUID
    state: JobStateName = Field(description="the export job's state (succeeded: the archive is ready)")
    job: JobOut | None = Field(description="its job; null for an export written by the CLI")
    created: datetime
    created_by: str
    options: ExportIn
    records: int | None = Field(description="conversations in the dataset, once written")
    digest: str | None = Field(description="SHA-256 of checksums.sha256: identical exports share it")
    manifest: list[ManifestEntry] = Field(
        description="checksums.sha256: every file of the archive but itself"
    )
    meetings: list[uuid.UUID] = Field(description="the meetings whose speakers it holds")
    persons: list[str] = Field(description="the person labels of the speakers it holds")
    skipped: list[SkippedMeeting]
    archive: str | None = Field(description="where to download the zip, once written (null once withdrawn)")
    withdrawn: datetime | None = Field(
        None, description="when the export was withdrawn, its archive deleted: a meeting it held was erased"
    )
    withdrawn_reason: str | None = Field(
        None, description="the records erased, and what their erasure cannot recall"
    )
