"""A search: the query's words and its meaning each rank the organisation's passages, the two rankings
are fused (`fusion`), and each hit comes with its meeting, time, speakers and highlighted snippet."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from greffier.assist.embed import embed
from greffier.config import Settings
from greffier.errors import Invalid
from greffier.search import meaning, words
from greffier.search.analyse import query_terms
from greffier.search.filters import Scope
from greffier.search.fusion import fuse
from greffier.search.snippet import Snippet, snippet
from greffier.search.spread import spread
from greffier.store.db import Database
from greffier.store.models import Meeting, SearchPassage

CANDIDATES = 100
"""Passages each index ranks before fusion: the most hits a search pages through."""
MAX_QUERY_CHARS = 500


class Mode(StrEnum):
    BOTH = "both"
    WORDS = "words"
    MEANING = "meaning"


@dataclass(frozen=True)
class Hit:
    passage_id: int
    meeting_id: uuid.UUID
    meeting_title: str
    meeting_created: datetime
    kind: str
    start: float
    end: float
    speakers: tuple[str, ...]
    text: str
    snippet: Snippet
    score: float
    version: int | None
    segment_ids: tuple[int, ...]
    vector: np.ndarray

    @property
    def link(self) -> str:
        """The web page of the meeting at the passage (a media fragment: `#t=start,end`)."""
        if self.kind == "title":
            return f"/meetings/{self.meeting_id}"
        return f"/meetings/{self.meeting_id}#t={self.start:g},{self.end:g}"


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    """Hits ranked (at most `CANDIDATES` per index)."""


def check_query(text: str) -> str:
    query = " ".join(text.split())
    if not query:
        raise Invalid(
            "the search is empty", "type a few words, e.g. 'budget' or 'who sends the report'", param="q"
        )
    if len(query) > MAX_QUERY_CHARS or not query.isprintable():
        raise Invalid(
            f"the search must be printable text of at most {MAX_QUERY_CHARS} characters",
            "shorten it, without control characters",
            param="q",
        )
    return query


def _speakers(key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(x for x in key.split("|") if x))


def _meetings_of(session: Session, passage_ids: list[int]) -> dict[int, uuid.UUID]:
    rows = session.execute(
        select(SearchPassage.id, SearchPassage.meeting_id).where(SearchPassage.id.in_(passage_ids))
    )
    return {passage_id: meeting_id for passage_id, meeting_id in rows}


def search(
    db: Database,
    settings: Settings,
    scope: Scope,
    text: str,
    *,
    mode: Mode = Mode.BOTH,
    limit: int = 20,
    offset: int = 0,
    encode: Callable[[list[str]], np.ndarray] | None = None,
    spread_meetings: bool = True,
) -> SearchPage:
    """One page of hits, best first, spread over meetings (`spread`; `spread_meetings=False`: the fused
    order, as the benchmark compares)."""
    query = check_query(text)
    terms = query_terms(query)
    with db.read() as session:
        rankings = []
        if mode != Mode.MEANING:
            rankings.append(words.ranked(session, terms, scope, CANDIDATES))
        if mode != Mode.WORDS:
            vector = (encode or (lambda texts: embed(texts, settings)))([query])[0]
            rankings.append(meaning.ranked(session, vector, scope, CANDIDATES))
        fused = fuse(rankings)
        if spread_meetings:
            fused = spread(fused, _meetings_of(session, [passage_id for passage_id, _ in fused]))
        page = fused[offset : offset + limit]
        ids = [passage_id for passage_id, _ in page]
        rows = {
            p.id: (p, m)
            for p, m in session.execute(
                select(SearchPassage, Meeting)
                .join(Meeting, Meeting.id == SearchPassage.meeting_id)
                .where(SearchPassage.id.in_(ids), SearchPassage.organisation_id == scope.organisation_id)
            ).all()
        }
    hits = []
    for passage_id, score in page:
        if passage_id not in rows:  # deleted between the ranking and this read
            continue
        p, m = rows[passage_id]
        hits.append(
            Hit(
                passage_id=p.id,
                meeting_id=m.id,
                meeting_title=m.title,
                meeting_created=m.created,
                kind=p.kind,
                start=p.start,
                end=p.end,
                speakers=_speakers(p.speakers),
                text=p.text,
                snippet=snippet(p.text, terms, m.language),
                score=score,
                version=p.version,
                segment_ids=tuple(int(x) for x in (p.segment_ids or "").split()),
                vector=np.frombuffer(p.vector, dtype=np.float16).astype(np.float32),
            )
        )
    return SearchPage(hits, len(fused))
