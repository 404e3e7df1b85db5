"""The words index: passages holding the query's stems, best first. SQLite: FTS5 `MATCH`, ranked by
bm25; PostgreSQL: the `tsvector` of the stems (config `simple`: they are stemmed and folded already,
the same way on both databases) `@@` a `tsquery`, ranked by `ts_rank`. Words are OR-ed: a passage with
more of them, and rarer ones, ranks higher."""

from __future__ import annotations

from sqlalchemy import column, func, literal_column, select, table
from sqlalchemy.orm import Session

from greffier.search.filters import Scope, conditions
from greffier.store.models import Meeting, SearchPassage

_FTS = table("search_fts", column("rowid"))
_SIMPLE = literal_column("'simple'")


def _alternatives(terms: list[frozenset[str]]) -> list[str]:
    return sorted({stem for term in terms for stem in term if stem})


def ranked(session: Session, terms: list[frozenset[str]], scope: Scope, limit: int) -> list[int]:
    """Passage ids, best first (at most `limit`)."""
    stems = _alternatives(terms)
    if not stems:
        return []
    where = conditions(scope)
    if session.get_bind().dialect.name == "sqlite":
        fts = literal_column("search_fts")
        rank = func.bm25(fts)
        query = (
            select(SearchPassage.id)
            .select_from(_FTS)
            .join(SearchPassage, SearchPassage.id == _FTS.c.rowid)
            .join(Meeting, Meeting.id == SearchPassage.meeting_id)
            .where(fts.op("MATCH")(" OR ".join(f'"{s}"' for s in stems)), *where)
            .order_by(rank, SearchPassage.id)
        )
    else:
        vector = func.to_tsvector(_SIMPLE, SearchPassage.stems)
        wanted = func.to_tsquery(_SIMPLE, " | ".join(stems))
        query = (
            select(SearchPassage.id)
            .join(Meeting, Meeting.id == SearchPassage.meeting_id)
            .where(vector.op("@@")(wanted), *where)
            .order_by(func.ts_rank(vector, wanted).desc(), SearchPassage.id)
        )
    return list(session.scalars(query.limit(limit)))
