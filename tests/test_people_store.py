"""People in the service database: per organisation (another's ids find nothing), metadata only in
listings, forget deletes every print (ON DELETE CASCADE) and its bytes leave the SQLite file; a
dataset export's transcript carries no person."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from greffier.dataset.pseudonymise import pseudonymise
from greffier.people.model import Consent, Voiceprint
from greffier.people.voiceprint import normalised, to_bytes
from greffier.store import people
from greffier.store.accounts import create_organisation
from greffier.store.db import Database
from greffier.store.models import PersonVoiceprint
from greffier.transcript import Segment, Speaker, Transcript

CONSENT = Consent("marie@example.org", "dpo@example.org", datetime(2026, 12, 7, tzinfo=UTC))


def test_people_are_per_organisation_and_forgotten_on_disk(tmp_path: Path):
    path = tmp_path / "greffier.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    ours, theirs = create_organisation(db, "ours").id, create_organisation(db, "theirs").id
    vectors = [normalised(np.random.default_rng(i).normal(size=192)) for i in range(2)]
    with db.write() as session:
        marie = people.enrol(session, ours, "Marie", Voiceprint(vectors[0], 12.0, "sample a.wav"), CONSENT)
        people.enrol(session, ours, "Marie", Voiceprint(vectors[1], 15.0, "meeting x SPEAKER_01"), CONSENT)
        marie_id = str(marie.id)
    with db.read() as session:
        [info] = people.list_people(session, ours)
        assert info.prints == 2 and info.consent == CONSENT and not hasattr(info, "vector")
        assert people.find_person(session, theirs, marie_id) is None, "another organisation's id: not found"
        assert people.list_people(session, theirs) == []
        assert len(people.print_index(session, ours)) == 2 and not len(people.print_index(session, theirs))
    assert people.forget(db, theirs, marie_id) is None
    gone = people.forget(db, ours, marie_id)
    assert gone is not None and gone.prints == 2
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(PersonVoiceprint)) == 0
    db.dispose()
    wal = tmp_path / "greffier.db-wal"  # closed: SQLite folded it into the file
    on_disk = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for vector in vectors:
        assert to_bytes(vector)[:64] not in on_disk


def test_a_dataset_export_holds_no_person():
    t = Transcript(
        "fr",
        2.0,
        segments=(Segment(0, 0.0, 2.0, "Bonjour à tous.", speaker="SPEAKER_00"),),
        speakers=(Speaker("SPEAKER_00", "Marie Dupont", "p1", 0.9),),
    )
    exported = pseudonymise(t).transcript.to_dict()
    assert all(s["person_id"] is None and s["score"] is None for s in exported["speakers"])
    assert "Marie" not in str(exported)
