"""The database schema (SQLAlchemy 2): organisations own users and meetings; meetings own their
transcript versions and jobs. Deleting a meeting deletes everything derived from it (ON DELETE CASCADE).

Changing a model means adding an Alembic migration (`store/migrations/versions/`): a test compares
the two.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as naive UTC (SQLite keeps no zone), always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database: use greffier.store.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Role(StrEnum):
    ADMIN = "admin"
    """Manages the organisation's destinations (where its meetings are delivered)."""
    MEMBER = "member"


class MeetingStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


TRANSCRIPTION_JOBS = ("transcribe",)
"""Job kinds whose state is the meeting's status (and the job a meeting shows); the assistant's jobs
(minutes, questions) run beside a transcribed meeting and leave its status alone."""


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(default=utcnow)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    """scrypt hash for signing in to the web app (`greffier admin set-password`); None: tokens only."""
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER, server_default=Role.MEMBER.value)
    """`Role`: the first user of an organisation is its admin (`greffier admin set-role`)."""


class ApiToken(Base):
    """Only the SHA-256 of a token is stored; `prefix` lets people tell their tokens apart.
    A web sign-in is a token too, with an expiry, carried in an HttpOnly cookie."""

    __tablename__ = "api_tokens"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    last_used: Mapped[datetime | None]
    expires: Mapped[datetime | None]
    """None: valid until deleted (API tokens); web sessions expire."""


class Meeting(Base):
    __tablename__ = "meetings"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.QUEUED)
    filename: Mapped[str] = mapped_column(String(500))
    audio_key: Mapped[str] = mapped_column(String(500))
    audio_bytes: Mapped[int] = mapped_column(BigInteger)
    duration: Mapped[float | None] = mapped_column(Float)
    search_text: Mapped[str | None] = mapped_column(Text)
    """Title and latest transcript text, case and accents folded (`store.meetings.fold`), for search."""
    health_data: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Holds health data: delivered only to destinations allowed to receive it."""


class TranscriptVersion(Base):
    """Every transcript a meeting ever had: version 1 from the recogniser, then each correction."""

    __tablename__ = "transcript_versions"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    author: Mapped[str] = mapped_column(String(320))
    job_id: Mapped[uuid.UUID | None] = mapped_column(unique=True)
    """The job that produced it (unique: a job retried after a crash cannot add a second result)."""
    body: Mapped[dict[str, Any]]


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    """None for a job about no single meeting (a dataset export)."""
    kind: Mapped[str] = mapped_column(String(64))
    queue: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """The job's typed model less its kind (`jobs.models`: written by `payload_of`, read by `read_job`)."""
    state: Mapped[str] = mapped_column(String(16), default=JobState.QUEUED, index=True)
    stage: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(default=utcnow)
    started: Mapped[datetime | None]
    finished: Mapped[datetime | None]
    heartbeat: Mapped[datetime | None]
    dispatched: Mapped[datetime | None]
    """Last time the task was (re)sent to the broker (scaled mode)."""


class ConsentEntry(Base):
    """A speaker's consent to share one meeting: append-only, the latest entry per speaker wins."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str] = mapped_column(String(200))
    """The speaker id in the meeting's transcript."""
    person: Mapped[str | None] = mapped_column(String(200), index=True)
    """A pseudonymous label for the same human across meetings (for `forget`); never exported."""
    status: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class MeetingLicence(Base):
    """The licence under which a meeting may be shared: append-only, the latest entry wins."""

    __tablename__ = "meeting_licences"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    licence: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class DatasetExport(Base):
    """One open-dataset export: its job, options, and once written, its archive, manifest and the
    speakers it held (kept after their meetings are deleted: `forget` must list the copies made)."""

    __tablename__ = "dataset_exports"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    """None for an export written by the CLI (`greffier dataset export --from-service`)."""
    created: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320))
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    digest: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the manifest (`checksums.sha256`): identical exports share it."""
    location: Mapped[str | None] = mapped_column(String(500))
    """The archive's blob key, or the folder the CLI wrote."""
    manifest: Mapped[str | None] = mapped_column(Text)
    records: Mapped[int | None] = mapped_column(Integer)
    speakers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """{"held": [[meeting, speaker, person], …], "skipped": [[meeting, why], …]}"""
    withdrawn: Mapped[datetime | None] = mapped_column()
    """When its archive was deleted because a meeting it held was erased (None: not withdrawn)."""
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)
    """Which conversations were erased, and what their erasure cannot recall."""


class Destination(Base):
    """Where an organisation's meetings are delivered (a Matrix room, a WebDAV folder, e-mail, a
    webhook). `config` holds what may be shown; `secret` (token, password, signing key) is encrypted
    with `Settings.delivery_key` and never returned by the API."""

    __tablename__ = "destinations"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    secret: Mapped[str | None] = mapped_column(Text)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    """Deliver every meeting of the organisation here, unless the meeting names its destinations."""
    health_data: Mapped[bool] = mapped_column(Boolean, default=False)
    """May receive meetings marked as health data (a certified host, HDS)."""
    created: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Delivery(Base):
    """One event of a meeting (minutes ready, transcribed, call completed) sent to one destination,
    by a `deliver` job. `remote` is what the destination answered (a Matrix event id, the paths
    written): a rewrite of the minutes edits what an earlier delivery left there."""

    __tablename__ = "deliveries"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    destination_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("destinations.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(64))
    """What is delivered: the minutes job's id, or the transcript version."""
    state: Mapped[str] = mapped_column(String(16), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)
    remote: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    sent: Mapped[datetime | None]


class HubOutboxState(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    REFUSED = "refused"


class HubOutbox(Base):
    """A SAMU-Hub message waiting to go, or gone: kept until the recipient acknowledges (RC-REF) or
    refuses it (RS-ERROR). The distribution id is the key: one message is published once."""

    __tablename__ = "hub_outbox"
    distribution_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[dict[str, Any]] = mapped_column()
    state: Mapped[str] = mapped_column(String(16), default=HubOutboxState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try: Mapped[datetime] = mapped_column(default=utcnow)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
    """The last failure to publish, or the recipient's refusal (code and cause)."""
    fix: Mapped[str | None] = mapped_column(Text)


class SearchPassage(Base):
    """A passage of a meeting as search finds it (`greffier.search`): a few consecutive segments of its
    latest transcript version, its title, or a line of its minutes. `stems` is what the words index
    holds (SQLite FTS5 table `search_fts`, PostgreSQL GIN index on its `tsvector`); `vector` the
    passage's sentence embedding (float16). Replaced whenever the meeting changes, deleted with it."""

    __tablename__ = "search_passages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    """title, transcript or minutes"""
    version: Mapped[int | None] = mapped_column(Integer)
    """The transcript version its segments come from (None for the title)."""
    segment_ids: Mapped[str | None] = mapped_column(Text)
    """The ids of its segments, space-separated."""
    start: Mapped[float] = mapped_column(Float, default=0.0)
    end: Mapped[float] = mapped_column(Float, default=0.0)
    speakers: Mapped[str] = mapped_column(Text, default="")
    """Its speakers' ids and names, each between | (`|S1|Anne|`), for the speaker filter."""
    text: Mapped[str] = mapped_column(Text)
    stems: Mapped[str] = mapped_column(Text)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class Person(Base):
    """Someone an organisation knows by their voice, with their explicit consent (GDPR art. 9):
    who gave it, when, and who recorded it. Deleting a person deletes their prints (CASCADE)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    consent_by: Mapped[str] = mapped_column(String(320))
    consent_at: Mapped[datetime] = mapped_column()
    consent_recorded_by: Mapped[str] = mapped_column(String(320))
    created: Mapped[datetime] = mapped_column(default=utcnow)


class PersonVoiceprint(Base):
    """One voiceprint of a person: a CAM++ centroid (192 float32, `people.voiceprint.to_bytes`).
    Never returned by the API, never in a dataset export."""

    __tablename__ = "voiceprints"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    seconds: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(500))
    created: Mapped[datetime] = mapped_column(default=utcnow)
