"""The index's rows: a meeting's passages replaced or deleted in the caller's transaction. On SQLite
the FTS5 table `search_fts` (external content: it reads `search_passages.stems`) is kept in step
here; PostgreSQL's GIN index follows the table by itself."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from greffier.store.models import SearchPassage


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def delete_passages(session: Session, meeting_id: uuid.UUID) -> None:
    """Delete every passage of the meeting, and its words in the FTS table."""
    if _is_sqlite(session):
        old = session.execute(
            select(SearchPassage.id, SearchPassage.stems).where(SearchPassage.meeting_id == meeting_id)
        ).all()
        if old:
            session.execute(
                text("INSERT INTO search_fts(search_fts, rowid, stems) VALUES ('delete', :id, :stems)"),
                [{"id": i, "stems": s} for i, s in old],
            )
    session.execute(delete(SearchPassage).where(SearchPassage.meeting_id == meeting_id))


def replace_passages(session: Session, meeting_id: uuid.UUID, rows: list[SearchPassage]) -> None:
    """The meeting's passages become `rows`."""
    delete_passages(session, meeting_id)
    session.add_all(rows)
    session.flush()
    if _is_sqlite(session) and rows:
        session.execute(
            text("INSERT INTO search_fts(rowid, stems) VALUES (:id, :stems)"),
            [{"id": r.id, "stems": r.stems} for r in rows],
        )
