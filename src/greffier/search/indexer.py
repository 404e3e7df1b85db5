"""Keep a meeting's passages in the index in step with the meeting: built from its title, its latest
transcript version and its latest minutes, embedded outside any transaction, then swapped in at once.

A passage whose text is unchanged keeps its vector (a correction re-embeds only what it changed). An
indexer that finds, at the swap, that the meeting is gone or has a newer transcript version than the
one it read writes nothing: the meeting is not brought back, and the newer version's own indexing wins.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greffier.assist.embed import embed
from greffier.config import Settings
from greffier.search.analyse import index_text
from greffier.search.passages import Passage, minutes_passages, title_passage, transcript_passages
from greffier.search.rows import replace_passages
from greffier.store import assistant
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import get_version
from greffier.store.models import JobState, Meeting, SearchPassage, TranscriptVersion
from greffier.transcript import Transcript

log = logging.getLogger("greffier.search")
Embedder = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Indexed:
    meeting_id: uuid.UUID
    passages: int
    embedded: int
    """How many passages needed a new vector (the others kept theirs)."""
    seconds: float


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def _minutes(session: Session, blobs: BlobStore, meeting: Meeting) -> list[Passage]:
    jobs = assistant.jobs_of(session, meeting.id, assistant.MINUTES, (JobState.SUCCEEDED,))
    for job in reversed(jobs):
        key = assistant.minutes_key(meeting.organisation_id, meeting.id, job.id, "json")
        if blobs.exists(key):
            return minutes_passages(json.loads(blobs.get_bytes(key)), job.payload.get("version", 0))
    return []


def meeting_passages(
    db: Database, blobs: BlobStore, meeting_id: uuid.UUID
) -> tuple[Meeting, int | None, list[Passage], dict[str, bytes]] | None:
    """The meeting, its latest version number, its passages, and the vectors it already has by text."""
    with db.read() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            return None
        row = get_version(session, meeting_id)
        passages = [title_passage(meeting.title)]
        if row is not None:
            passages += transcript_passages(Transcript.from_dict(row.body), row.version)
        passages += _minutes(session, blobs, meeting)
        known = dict(
            session.execute(
                select(SearchPassage.text, SearchPassage.vector).where(SearchPassage.meeting_id == meeting_id)
            ).all()
        )
    return meeting, (row.version if row else None), passages, known


def index_meeting(
    db: Database,
    blobs: BlobStore,
    settings: Settings,
    meeting_id: uuid.UUID,
    *,
    encode: Embedder | None = None,
) -> Indexed | None:
    """(Re)index one meeting; None when it is gone or moved on meanwhile."""
    started = time.perf_counter()
    found = meeting_passages(db, blobs, meeting_id)
    if found is None:
        return None
    meeting, version, passages, known = found
    missing = list(dict.fromkeys(p.text for p in passages if p.text not in known))
    if missing:
        vectors = (encode or (lambda texts: embed(texts, settings)))(missing)
        known |= {text: to_bytes(v) for text, v in zip(missing, vectors, strict=True)}
    language = meeting.language
    rows = [
        SearchPassage(
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            kind=p.kind,
            version=p.version,
            segment_ids=" ".join(map(str, p.segment_ids)) or None,
            start=p.start,
            end=p.end,
            speakers=p.speaker_key,
            text=p.text,
            stems=index_text(p.text, language),
            vector=known[p.text],
        )
        for p in passages
    ]
    with db.write() as session:
        current = session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update())
        latest = session.scalar(
            select(func.max(TranscriptVersion.version)).where(TranscriptVersion.meeting_id == meeting_id)
        )
        if current is None or latest != version:
            return None
        replace_passages(session, meeting_id, rows)
    return Indexed(meeting_id, len(rows), len(missing), time.perf_counter() - started)


def index_quietly(db: Database, blobs: BlobStore, settings: Settings, meeting_id: uuid.UUID) -> None:
    """Index after a change that has already been saved: a failure is logged, never the change's
    failure (`greffier admin search reindex` catches up)."""
    try:
        index_meeting(db, blobs, settings, meeting_id)
    except Exception:
        log.exception("search: indexing meeting %s failed; run `greffier admin search reindex`", meeting_id)


def reindex(
    db: Database, blobs: BlobStore, settings: Settings, organisation_id: uuid.UUID | None = None
) -> list[Indexed]:
    """Index every meeting (of one organisation, or of all)."""
    with db.read() as session:
        query = select(Meeting.id).order_by(Meeting.created)
        if organisation_id is not None:
            query = query.where(Meeting.organisation_id == organisation_id)
        ids = list(session.scalars(query))
    return [done for meeting_id in ids if (done := index_meeting(db, blobs, settings, meeting_id))]
