"""Search across meetings finds the right one: the 141 ELITR-Bench dev questions asked across the 10
ELITR dev meetings (English project meetings, several of the same project), merged ranking with the
hits spread over meetings, real SQLite FTS5 and the real sentence encoder, as `python -m bench search`
measures it (0.816)."""

from __future__ import annotations

from pathlib import Path

from bench.search import Corpus, found, index_elitr
from greffier.config import Settings
from greffier.search.query import Mode
from greffier.store import accounts
from greffier.store.blobs import BlobStore
from greffier.store.db import Database

MIN_RECALL = 0.8
"""The issue's target. Measured 0.816 (115 of 141; 113 is 0.801): hits spread over meetings, passages
of 120 words; 0.794 in fused order, 0.752 with passages of 60 words."""


def test_the_right_meeting_is_among_the_five_best_hits(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    try:
        organisation = accounts.create_organisation(db, "bench").id
        corpus = Corpus(db, BlobStore(tmp_path / "blobs"), Settings(data_dir=tmp_path), organisation)
        by_id = index_elitr(corpus)
        hits = found(corpus, by_id, Mode.BOTH)
        assert len(hits) == 141
        assert sum(hits) / len(hits) >= MIN_RECALL, f"recall@5 {sum(hits) / len(hits):.3f}"
    finally:
        db.dispose()
