"""The meaning index: the passages' sentence vectors, held in memory per organisation (one float32
matrix), compared with the query's by a dot product (they are L2-normalised: cosine). The matrix is
read from the database once, then only what was added; a count that no longer matches (a deletion)
reloads it. Every query checks the count and the highest id first, so a process never answers from
vectors of a meeting deleted by another."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greffier.search.filters import Scope, conditions
from greffier.store.models import SearchPassage

MIN_SIMILARITY = 0.2
"""Cosine below which a passage is not a hit by meaning (unrelated text scores about 0 to 0.15)."""


@dataclass
class _Matrix:
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 512), dtype=np.float32))

    @property
    def newest(self) -> int:
        return int(self.ids[-1]) if len(self.ids) else 0

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.vectors.nbytes


class VectorCache:
    def __init__(self) -> None:
        self._matrices: dict[uuid.UUID, _Matrix] = {}
        self._lock = threading.RLock()

    def matrix(self, session: Session, organisation_id: uuid.UUID) -> _Matrix:
        mine = SearchPassage.organisation_id == organisation_id
        count, newest = session.execute(select(func.count(), func.max(SearchPassage.id)).where(mine)).one()
        with self._lock:
            held = self._matrices.get(organisation_id, _Matrix())
            if len(held.ids) == count and held.newest == (newest or 0):
                return held
            since = held.newest if len(held.ids) <= count else 0
            rows = session.execute(
                select(SearchPassage.id, SearchPassage.vector)
                .where(mine, SearchPassage.id > since)
                .order_by(SearchPassage.id)
            ).all()
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            added = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float16).reshape(-1, 512)
            if since:
                ids = np.concatenate([held.ids, ids])
                added = np.concatenate([held.vectors, added.astype(np.float32)])
            fresh = _Matrix(ids, added.astype(np.float32, copy=False))
            if len(fresh.ids) != count:  # rows deleted and others added meanwhile: read them all
                self._matrices.pop(organisation_id, None)
                return self.matrix(session, organisation_id)
            self._matrices[organisation_id] = fresh
            return fresh

    def nbytes(self) -> int:
        return sum(m.nbytes for m in self._matrices.values())


CACHE = VectorCache()


def _narrowed(scope: Scope) -> bool:
    return any((scope.created_from, scope.created_to, scope.speaker, scope.meeting_id))


def ranked(
    session: Session, query_vector: np.ndarray, scope: Scope, limit: int, cache: VectorCache = CACHE
) -> list[int]:
    """Passage ids closest in meaning to the query, best first (at most `limit`, cosine >=
    `MIN_SIMILARITY`)."""
    held = cache.matrix(session, scope.organisation_id)
    if not len(held.ids):
        return []
    scores = held.vectors @ np.asarray(query_vector, dtype=np.float32)
    if _narrowed(scope):
        allowed = np.fromiter(session.scalars(select(SearchPassage.id).where(*conditions(scope))), np.int64)
        scores = np.where(np.isin(held.ids, allowed), scores, -np.inf)
    top = min(limit, len(scores))
    best = np.argpartition(-scores, top - 1)[:top]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [int(held.ids[i]) for i in best if scores[i] >= MIN_SIMILARITY]
