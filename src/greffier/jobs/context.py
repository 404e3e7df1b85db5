"""What a running job sees (`JobContext`): its meeting, transcript and settings, a blob store that
writes only in its meeting's folder (`JobBlobs`), its progress; `JobGone` when the job or its meeting
was deleted while it ran."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update

from greffier.config import Settings
from greffier.store.blobs import BlobKeyError, BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, get_version, meeting_prefix
from greffier.store.models import Job, JobState, Meeting, TranscriptVersion
from greffier.transcript import Transcript

_PROGRESS_EVERY_S = 0.5


class JobGone(Exception):
    """The job or its meeting was deleted while it ran: drop the work quietly."""


StoreHook = Callable[["JobContext", str], None]
STORE_HOOKS: list[StoreHook] = []
"""Called with the job and what it is about to store (a blob key, or "transcript") just before it
stores it: a seam for instrumentation and for tests (a meeting deleted at that very moment)."""


class JobBlobs(BlobStore):
    """The blob store as a job sees it (`ctx.blobs`): reads as usual; every write (`put`,
    `put_bytes`) goes to the job's meeting folder, for a meeting's job, and is checked afterwards:
    when the job or its meeting is gone, what was written is erased again and `JobGone` raised.
    Checking after the write closes the race, since a deletion commits first and then erases the
    folder: either the check sees the deletion, or the erasure comes after the write."""

    def __init__(self, store: BlobStore, ctx: JobContext) -> None:
        super().__init__(store.root)
        self._ctx = ctx

    def put(self, key: str, source: BinaryIO) -> int:
        folder = self._ctx.folder()
        if folder is not None and not key.startswith(f"{folder}/"):
            raise BlobKeyError(
                f"job {self._ctx.job_id} may not write {key!r}", f"write under {folder}/ (ctx.blob_key)"
            )
        for hook in STORE_HOOKS:
            hook(self._ctx, key)
        size = super().put(key, source)
        gone = self._ctx.gone()
        if gone is not None:
            self.delete_prefix(folder or key)
            raise JobGone(gone)
        return size


@dataclass
class JobContext:
    job_id: uuid.UUID
    meeting_id: uuid.UUID | None  # None: a job about no single meeting (a dataset export)
    organisation_id: uuid.UUID
    kind: str
    attempt: int
    worker: str
    settings: Settings
    db: Database
    blobs: BlobStore
    """Wrapped in `JobBlobs`: the only way a task writes files."""
    stage_weights: dict[str, float] = field(default_factory=dict)
    """Share of the whole job per stage, so that `progress` runs 0 -> 1 over all stages."""
    _last_write: float = 0.0
    _last_stage: str | None = None
    _done: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.blobs, JobBlobs):
            self.blobs = JobBlobs(self.blobs, self)

    # -- reading -------------------------------------------------------------------------------------
    def meeting(self) -> Meeting:
        with self.db.read() as session:
            meeting = session.get(Meeting, self.meeting_id)
        if meeting is None:
            raise JobGone(f"meeting {self.meeting_id} was deleted")
        return meeting

    def audio_path(self) -> Path:
        return self.blobs.path(self.meeting().audio_key)

    def transcript(self, version: int | None = None) -> Transcript:
        """The latest transcript, or the given version."""
        with self.db.read() as session:
            row = get_version(session, self.meeting_id, version)
        if row is None:
            raise JobGone(
                f"meeting {self.meeting_id} has no transcript" + (f" version {version}" if version else "")
            )
        return Transcript.from_dict(row.body)

    def folder(self) -> str | None:
        """The meeting's blob folder (None for a job about no single meeting)."""
        return None if self.meeting_id is None else meeting_prefix(self.organisation_id, self.meeting_id)

    def blob_key(self, name: str) -> str:
        """Where this meeting's derived files go (deleted with the meeting)."""
        return f"{self.folder()}/{name}"

    def gone(self) -> str | None:
        """Why this job may no longer store anything (its row or its meeting deleted), or None."""
        with self.db.read() as session:
            if session.get(Job, self.job_id) is None:
                return f"job {self.job_id} was deleted"
            if self.meeting_id is not None and session.get(Meeting, self.meeting_id) is None:
                return f"meeting {self.meeting_id} was deleted"
        return None

    # -- writing -------------------------------------------------------------------------------------
    def transcript_stored(self) -> bool:
        """Did an earlier attempt of this job already store its transcript?"""
        with self.db.read() as session:
            stored = select(TranscriptVersion.id).where(TranscriptVersion.job_id == self.job_id)
            return session.scalar(stored) is not None

    def store_transcript(self, transcript: Transcript) -> None:
        """A new transcript version (`add_version` re-checks the meeting under its row lock)."""
        for hook in STORE_HOOKS:
            hook(self, "transcript")
        if (
            add_version(self.db, self.meeting_id, transcript.to_dict(), author=self.kind, job_id=self.job_id)
            is None
        ):
            return
        with self.db.write() as session:
            session.execute(
                update(Meeting)
                .where(Meeting.id == self.meeting_id)
                .values(language=transcript.language, duration=transcript.duration)
            )

    def store_files(self, files: dict[str, bytes]) -> None:
        """Store result blobs in this order (make the last one the mark that all are there)."""
        for key, data in files.items():
            self.blobs.put_bytes(key, data)

    def progress(self, stage: str, fraction: float) -> None:
        """The pipeline's progress callback: records the stage and the whole job's progress in 0..1."""
        weights = self.stage_weights or {stage: 1.0}
        if stage in weights:
            names = list(weights)
            before = sum(weights[name] for name in names[: names.index(stage)])
            share = before + weights[stage] * max(0.0, min(1.0, fraction))
            self._done = max(self._done, min(1.0, share / (sum(weights.values()) or 1.0)))
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_write < _PROGRESS_EVERY_S and fraction < 1.0:
            return
        self._last_stage, self._last_write = stage, now
        with self.db.write() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.worker == self.worker, Job.state == JobState.RUNNING)
                .values(stage=stage, progress=self._done)
            )
