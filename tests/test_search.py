"""Search across meetings on real databases (SQLite FTS5 and PostgreSQL tsvector) with the real
sentence encoder: stems and accents, the filters, highlights, another organisation, and an index that
follows the data (a new version replaces the old words, a deletion leaves nothing to find)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from greffier.config import Settings
from greffier.errors import Invalid
from greffier.search.filters import Scope
from greffier.search.indexer import index_meeting
from greffier.search.query import Mode, search
from greffier.search.spread import spread
from greffier.store import accounts
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, delete_meeting
from greffier.store.models import Meeting, utcnow
from greffier.transcript import Segment, Speaker, Transcript

FRENCH = [
    ("S1", "Bonjour à tous, on commence la réunion budgétaire du trimestre."),
    ("S2", "Les pompiers ont demandé deux camions supplémentaires pour l'été."),
    ("S1", "Nous avons décidé d'envoyer le rapport à la préfecture vendredi."),
]
ENGLISH = [
    ("A", "Welcome everyone, today we review the translation pipeline."),
    ("B", "The subtitles were delayed because the servers crashed twice."),
]


def transcript(lines: list[tuple[str, str]], language: str) -> Transcript:
    segments = tuple(
        Segment(i, 10.0 * i, 10.0 * i + 9, text, speaker=who) for i, (who, text) in enumerate(lines)
    )
    speakers = tuple(Speaker(s, name={"S1": "Anne"}.get(s)) for s in dict.fromkeys(w for w, _ in lines))
    return Transcript(language=language, duration=10.0 * len(lines), segments=segments, speakers=speakers)


def meeting(db: Database, org: uuid.UUID, title: str, body: Transcript, days_ago: int = 0) -> uuid.UUID:
    with db.write() as session:
        row = Meeting(
            organisation_id=org,
            title=title,
            filename="f.wav",
            audio_key="k",
            audio_bytes=1,
            options={},
            language=body.language,
            created=utcnow() - timedelta(days=days_ago),
        )
        session.add(row)
        session.flush()
        meeting_id = row.id
    add_version(db, meeting_id, body.to_dict(), author="test")
    return meeting_id


def test_search_follows_the_data(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    blobs = BlobStore(tmp_path / "blobs")
    org = accounts.create_organisation(db, f"org-{uuid.uuid4().hex[:8]}").id
    other = accounts.create_organisation(db, f"org-{uuid.uuid4().hex[:8]}").id
    fr = meeting(db, org, "Conseil municipal", transcript(FRENCH, "fr"), days_ago=10)
    en = meeting(db, org, "Project sync", transcript(ENGLISH, "en"))
    theirs = meeting(db, other, "Leur réunion", transcript(FRENCH, "fr"))
    for meeting_id in (fr, en, theirs):
        done = index_meeting(db, blobs, settings, meeting_id)
        assert done is not None and done.passages == 2  # the title, and the short transcript in one
    mine = Scope(org)

    # stems and accents: "reunions budgetaires" finds "réunion budgétaire", and the words are marked
    hits = search(db, settings, mine, "reunions budgetaires", mode=Mode.WORDS).hits
    assert hits and hits[0].meeting_id == fr and hits[0].kind == "transcript"
    marked = hits[0].snippet.marked()
    assert "[réunion]" in marked and "[budgétaire]" in marked
    assert hits[0].speakers[:2] == ("S1", "Anne") and hits[0].start == 0.0

    # meaning alone finds the French meeting from an English question sharing no word with it
    hits = search(db, settings, mine, "what happened to the firemen trucks", mode=Mode.MEANING).hits
    assert hits and hits[0].meeting_id == fr
    assert not search(db, settings, mine, "what happened to the firemen trucks", mode=Mode.WORDS).hits
    # merged: both rankings count
    assert search(db, settings, mine, "servers crashed").hits[0].meeting_id == en

    # filters: meeting, speaker (name or id), dates
    assert {h.meeting_id for h in search(db, settings, Scope(org, meeting_id=en), "pompiers").hits} <= {en}
    assert (
        search(db, settings, Scope(org, speaker="anne"), "pompiers", mode=Mode.WORDS).hits[0].meeting_id == fr
    )
    assert not search(db, settings, Scope(org, speaker="B"), "pompiers", mode=Mode.WORDS).hits
    recent = Scope(org, created_from=utcnow() - timedelta(days=1))
    assert not search(db, settings, recent, "pompiers camions", mode=Mode.WORDS).hits

    # another organisation never sees a hit of ours, and we never see theirs
    assert all(h.meeting_id == theirs for h in search(db, settings, Scope(other), "pompiers camions").hits)
    assert theirs not in {h.meeting_id for h in search(db, settings, mine, "Leur réunion pompiers").hits}

    # a new version replaces the old words
    add_version(
        db,
        fr,
        transcript([("S1", "Finalement, on parle uniquement de la piscine.")], "fr").to_dict(),
        author="t",
    )
    assert index_meeting(db, blobs, settings, fr) is not None
    assert not search(db, settings, mine, "pompiers", mode=Mode.WORDS).hits
    assert search(db, settings, mine, "piscine", mode=Mode.WORDS).hits[0].meeting_id == fr

    # a deletion: nothing of the meeting is found once it has answered, by words or by meaning
    assert delete_meeting(db, blobs, org, fr)
    assert not [h for h in search(db, settings, mine, "piscine conseil municipal").hits if h.meeting_id == fr]
    assert index_meeting(db, blobs, settings, fr) is None  # a late indexer does not bring it back


def test_bad_searches_say_what_to_do(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    org = accounts.create_organisation(db, "acme").id
    settings = Settings(data_dir=tmp_path)
    for query in ("   ", "x" * 501, "a\x00b"):
        with pytest.raises(Invalid, match="search"):
            search(db, settings, Scope(org), query)
    assert search(db, settings, Scope(org), "rien du tout").hits == []  # an empty index answers nothing


def test_a_saved_live_session_is_found(tmp_path: Path) -> None:
    """The live path (`app.meetings.save_live_meeting`) indexes the meeting it saves."""
    from greffier.app.meetings import LiveRecording, save_live_meeting
    from tests.test_app import _principal, _services

    services = _services(tmp_path)
    principal = _principal(services, "acme")
    wav = tmp_path / "live.wav"
    wav.write_bytes(b"RIFF")  # stored as the meeting's audio; nothing reads it here
    live = LiveRecording("Point du lundi", "fr", transcript(FRENCH, "fr"), wav, {})
    meeting_id = save_live_meeting(services, principal, live, lambda _: {})
    assert meeting_id is not None
    hits = search(
        services.db, services.settings, Scope(principal.organisation_id), "camions", mode=Mode.WORDS
    ).hits
    assert [(h.meeting_id, h.meeting_title) for h in hits] == [(meeting_id, "Point du lundi")]
    services.db.dispose()


def test_spread_gives_other_meetings_their_turn_and_drops_nothing() -> None:
    ranked = [("a1", 0.9), ("a2", 0.8), ("a3", 0.7), ("a4", 0.6), ("b1", 0.5), ("a5", 0.4), ("c1", 0.3)]
    meeting_of = {item: item[0] for item, _ in ranked}
    order = [item for item, _ in spread(ranked, meeting_of)]
    assert order == ["a1", "a2", "b1", "c1", "a3", "a4", "a5"]
    assert [item for item, _ in spread(ranked, meeting_of, per_meeting=1)] == [
        "a1", "b1", "c1", "a2", "a3", "a4", "a5",
    ]  # fmt: skip
    one_meeting = [(f"a{i}", 1.0 / i) for i in range(1, 8)]
    assert spread(one_meeting, {item: "a" for item, _ in one_meeting}) == one_meeting


def test_one_talkative_meeting_leaves_room_for_the_others(tmp_path: Path) -> None:
    """Meeting A says 'camions' in five passages (a pause of 8 s or more starts a passage), B once
    among other words: B's passage is on the first page's top three, after A's two best; within A
    alone (the meeting filter) the order is the fused one."""
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    settings = Settings(data_dir=tmp_path)
    blobs = BlobStore(tmp_path / "blobs")
    org = accounts.create_organisation(db, "acme").id
    talkative = Transcript(
        language="fr",
        duration=100.0,
        segments=tuple(
            Segment(i, 20.0 * i, 20.0 * i + 5, f"Les camions, encore les camions {i}.") for i in range(5)
        ),
    )
    a = meeting(db, org, "Garage", talkative)
    b = meeting(db, org, "Conseil municipal", transcript(FRENCH, "fr"))
    for meeting_id in (a, b):
        assert index_meeting(db, blobs, settings, meeting_id) is not None

    fused = search(db, settings, Scope(org), "camions", mode=Mode.WORDS, spread_meetings=False).hits
    spread_hits = search(db, settings, Scope(org), "camions", mode=Mode.WORDS).hits
    assert [h.meeting_id for h in fused[:3]] == [a, a, a]  # without the spread, A fills the top
    assert [h.meeting_id for h in spread_hits[:3]] == [a, a, b]
    assert sorted(h.passage_id for h in spread_hits) == sorted(h.passage_id for h in fused)
    only_a = search(db, settings, Scope(org, meeting_id=a), "camions", mode=Mode.WORDS).hits
    assert [h.passage_id for h in only_a] == [h.passage_id for h in fused if h.meeting_id == a]
    db.dispose()
