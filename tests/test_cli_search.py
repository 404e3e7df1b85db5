"""`greffier search` and `greffier admin search reindex` on a service database, as an operator runs
them: meetings written without their index are found once reindexed, only in their organisation; bad
options name the fix."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.meetings import add_version
from servers import service_env
from tests.test_search import FRENCH, meeting, transcript


def test_search_cli(tmp_path: Path) -> None:
    env = service_env(tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    db.migrate()
    acme = accounts.create_organisation(db, "acme").id
    accounts.create_organisation(db, "globex")
    mid = meeting(db, acme, "Conseil municipal", transcript(FRENCH, "fr"))
    db.dispose()

    def search(*args: str) -> list[dict]:
        done = run_cli("search", *args, "--json", env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert search("pompiers camions", "--org", "acme") == []  # written by the store alone: not indexed yet
    done = run_cli("admin", "search", "reindex", env=env)
    assert done.returncode == 0 and "indexed 1 meeting(s): 2 passages" in done.stdout, (
        done.stdout + done.stderr
    )

    hits = search("pompiers camions", "--org", "acme")
    assert hits[0]["meeting_id"] == str(mid) and hits[0]["link"].startswith(f"/meetings/{mid}#t=")
    assert search("pompiers camions", "--org", "globex") == []

    text = run_cli("search", "préfecture", "--org", "acme", env=env)
    assert text.returncode == 0 and "Conseil municipal (transcript 00:00–00:29 S1, Anne" in text.stdout
    assert "préfecture" in text.stdout

    # a correction saved by the store alone, then one meeting's organisation reindexed
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    add_version(db, mid, transcript([("S1", "Il ne reste que la piscine.")], "fr").to_dict(), author="t")
    db.dispose()
    assert run_cli("admin", "search", "reindex", "--org", "acme", env=env).returncode == 0
    hits = search("piscine pompiers", "--org", "acme", "--mode", "words")
    assert [h["snippet"] for h in hits] == ["Il ne reste que la piscine."]

    bad = run_cli("search", "x", "--org", "acme", "--from", "yesterday", env=env)
    assert bad.returncode == 2 and "--from 'yesterday' is not a date" in bad.stderr
    unknown = run_cli("search", "x", "--org", "initech", env=env)
    assert unknown.returncode == 2 and "greffier admin create-org initech" in unknown.stderr
    empty = run_cli("search", "  ", "--org", "acme", env=env)
    assert empty.returncode == 2 and "the search is empty" in empty.stderr
