"""`greffier search`, `greffier admin search reindex` and `greffier ask --all` on a service database, as an operator runs
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


def test_ask_all_cli(tmp_path: Path) -> None:
    """`greffier ask --all` on the service database (without a model: the passages found), the
    per-meeting `greffier ask FILE QUESTION` beside it, and the arguments that do not fit."""
    env = service_env(tmp_path, llm_backend="none")
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    db.migrate()
    acme = accounts.create_organisation(db, "acme").id
    globex = accounts.create_organisation(db, "globex").id
    mid = meeting(db, acme, "Conseil municipal", transcript(FRENCH, "fr"))
    meeting(db, globex, "Autre conseil", transcript(FRENCH, "fr"))
    db.dispose()
    assert run_cli("admin", "search", "reindex", env=env).returncode == 0

    def ask_all(*args: str) -> dict:
        done = run_cli("ask", "--all", *args, "--json", env=env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    answer = ask_all("Combien de camions pour les pompiers ?", "--org", "acme")
    assert not answer["found"] and answer["language"] == "fr"
    assert [p["meeting_id"] for p in answer["passages"]] == [str(mid)], "acme's meeting only"
    assert "pompiers" in answer["passages"][0]["text"]
    text = run_cli("ask", "--all", "pompiers camions", "--org", "acme", env=env)
    assert text.returncode == 0 and "[Conseil municipal 00:00–00:29 S1, S2] Bonjour" in text.stdout, (
        text.stdout
    )

    path = tmp_path / "t.json"
    path.write_text(json.dumps(transcript(FRENCH, "fr").to_dict()))
    one = run_cli("ask", str(path), "Combien de camions ?", "--no-llm", "--json", env=env)
    assert one.returncode == 0 and "camions" in json.loads(one.stdout)["passages"][0]["text"], one.stderr

    for args, message in (
        (("--all", str(path), "Q ?", "--org", "acme"), "give the question alone"),
        (("Combien de camions ?",), "give a transcript file and a question, or --all"),
        ((str(path), "Q ?", "--org", "acme"), "--org only goes with --all"),
        (("--all", "Q ?"), "--all needs --org NAME"),
        (("--all", "Q ?", "--org", "initech"), "greffier admin create-org initech"),
        (("--all", "  ", "--org", "acme"), "the question is empty"),
    ):
        bad = run_cli("ask", *args, env=env)
        assert bad.returncode == 2 and message in bad.stderr, (args, bad.stderr)
