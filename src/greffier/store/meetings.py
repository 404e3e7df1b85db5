"""Meetings, their transcript versions and their jobs, always scoped to one organisation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from greffier.search.rows import delete_passages
from greffier.store.blobs import BlobStore
from greffier.store.consent import withdraw_exports
from greffier.store.db import Database
from greffier.store.models import (
    TRANSCRIPTION_JOBS,
    ConsentEntry,
    Job,
    Meeting,
    MeetingLicence,
    TranscriptVersion,
)
from greffier.store.search import fold, terms


def meeting_prefix(organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> str:
    """The blob folder of a meeting: built from ids only, never from user input."""
    return f"orgs/{organisation_id.hex}/meetings/{meeting_id.hex}"


@dataclass(frozen=True)
class MeetingPage:
    items: list[Meeting]
    total: int


def get_meeting(session: Session, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, Meeting.organisation_id == organisation_id)
    )


def get_job(session: Session, organisation_id: uuid.UUID, job_id: uuid.UUID) -> Job | None:
    return session.scalar(select(Job).where(Job.id == job_id, Job.organisation_id == organisation_id))


def latest_job(session: Session, meeting_id: uuid.UUID, kind: str | None = None) -> Job | None:
    """The meeting's newest job of this task type; by default its latest transcription job (not
    the assistant's or the call form's)."""
    kinds = (kind,) if kind is not None else TRANSCRIPTION_JOBS
    return session.scalar(
        select(Job)
        .where(Job.meeting_id == meeting_id, Job.kind.in_(kinds))
        .order_by(Job.created.desc(), Job.id)
        .limit(1)
    )


def summaries(
    session: Session, meeting_ids: list[uuid.UUID]
) -> dict[uuid.UUID, tuple[Job | None, int | None]]:
    """For each meeting: its latest transcription job and latest transcript version (two queries for
    a whole page)."""
    jobs: dict[uuid.UUID, Job] = {}
    transcriptions = select(Job).where(Job.meeting_id.in_(meeting_ids), Job.kind.in_(TRANSCRIPTION_JOBS))
    for job in session.scalars(transcriptions.order_by(Job.created)):
        jobs[job.meeting_id] = job
    versions = {
        meeting_id: version
        for meeting_id, version in session.execute(
            select(TranscriptVersion.meeting_id, func.max(TranscriptVersion.version))
            .where(TranscriptVersion.meeting_id.in_(meeting_ids))
            .group_by(TranscriptVersion.meeting_id)
        )
    }
    return {meeting_id: (jobs.get(meeting_id), versions.get(meeting_id)) for meeting_id in meeting_ids}


def list_meetings(
    session: Session,
    organisation_id: uuid.UUID,
    *,
    title: str | None = None,
    text: str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    limit: int = 20,
    offset: int = 0,
) -> MeetingPage:
    where = [Meeting.organisation_id == organisation_id]
    if title:
        where.append(func.lower(Meeting.title).like(f"%{_escape_like(title.lower())}%", escape="\\"))
    for term in terms(text or ""):
        where.append(Meeting.search_text.like(f"%{_escape_like(term)}%", escape="\\"))
    if created_from is not None:
        where.append(Meeting.created >= created_from)
    if created_to is not None:
        where.append(Meeting.created < created_to)
    total = session.scalar(select(func.count()).select_from(Meeting).where(*where)) or 0
    items = session.scalars(
        select(Meeting).where(*where).order_by(Meeting.created.desc(), Meeting.id).limit(limit).offset(offset)
    ).all()
    return MeetingPage(items=list(items), total=total)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def delete_meeting(db: Database, blobs: BlobStore, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> bool:
    """Erase the meeting (GDPR art. 17): its audio, transcript versions, jobs, consents, licence and
    derived files, its passages in the search index; the dataset exports that held it are withdrawn
    (archives deleted); then the
    database's own copies of the deleted rows are overwritten (`Database.erase_deleted`)."""
    with db.write() as session:
        meeting = get_meeting(session, organisation_id, meeting_id)
        if meeting is None:
            return False
        delete_passages(session, meeting_id)  # before the DELETE answers, nothing of it can be found
        for model in (
            TranscriptVersion,
            Job,
            ConsentEntry,
            MeetingLicence,
        ):  # explicit: SQLite may run without foreign-key cascades
            session.execute(delete(model).where(model.meeting_id == meeting_id))
        archives = withdraw_exports(session, organisation_id, meeting_id)
        session.delete(meeting)
    for prefix in (meeting_prefix(organisation_id, meeting_id), *archives):
        blobs.delete_prefix(prefix)
    db.erase_deleted()
    return True


# -- transcript versions -----------------------------------------------------------------------------
def get_version(
    session: Session, meeting_id: uuid.UUID, version: int | None = None
) -> TranscriptVersion | None:
    query = select(TranscriptVersion).where(TranscriptVersion.meeting_id == meeting_id)
    if version is not None:
        return session.scalar(query.where(TranscriptVersion.version == version))
    return session.scalar(query.order_by(TranscriptVersion.version.desc()).limit(1))


def list_versions(session: Session, meeting_id: uuid.UUID) -> list[TranscriptVersion]:
    return list(
        session.scalars(
            select(TranscriptVersion)
            .where(TranscriptVersion.meeting_id == meeting_id)
            .order_by(TranscriptVersion.version)
        )
    )


class VersionConflict(Exception):
    """The transcript moved on: `latest` is no longer the version the change was made to."""

    def __init__(self, latest: int) -> None:
        super().__init__(f"the transcript is now at version {latest}")
        self.latest = latest


def add_version(
    db: Database,
    meeting_id: uuid.UUID,
    body: dict[str, Any],
    *,
    author: str,
    job_id: uuid.UUID | None = None,
    after: int | None = None,
) -> TranscriptVersion | None:
    """Append a version; None when the meeting is gone or `job_id` already stored its result.
    With `after`, raises `VersionConflict` unless that is still the latest version."""
    try:
        with db.write() as session:
            meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update())
            if meeting is None:
                return None
            if job_id is not None and session.scalar(
                select(TranscriptVersion.id).where(TranscriptVersion.job_id == job_id)
            ):
                return None
            last = session.scalar(
                select(func.max(TranscriptVersion.version)).where(TranscriptVersion.meeting_id == meeting_id)
            )
            if after is not None and last != after:
                raise VersionConflict(last or 0)
            row = TranscriptVersion(
                meeting_id=meeting_id, version=(last or 0) + 1, author=author, job_id=job_id, body=body
            )
            session.add(row)
            meeting.search_text = fold(meeting.title, body.get("text"))
        return row
    except IntegrityError:
        if job_id is not None:  # a concurrent delivery of the same job won the race
            return None
        raise
