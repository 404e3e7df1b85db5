"""`greffier people enrol|list|forget` as a user runs them, and the consent test on disk: after
forget, the print's bytes are in neither the SQLite file nor its write-ahead log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from greffier.transcript import Transcript
from tests.conftest import eval_file, run_cli

SAMPLE = "ami-debug-train/trn06.wav"  # FEE083 talks alone 22 s of its 30
OTHER = "ami-debug-train/trn09.wav"  # FEE083 again, another excerpt of the meeting
SHORT = "ami-debug-train/trn02.wav"  # one turn of 0.7 s


def test_enrol_list_forget_and_the_print_is_gone_from_disk(tmp_path: Path):
    env = {"GREFFIER_DATA_DIR": str(tmp_path)}
    refused = run_cli(
        "people", "enrol", "Bob", "--from-sample", str(eval_file(SHORT)), "--consent-by", "bob", env=env
    )
    assert refused.returncode == 2 and "needs 10 s" in refused.stderr
    missing = run_cli("people", "enrol", "Bob", "--from-sample", str(eval_file(SAMPLE)), env=env)
    assert missing.returncode == 2 and "--consent-by" in (missing.stderr + missing.stdout)
    enrolled = run_cli(
        "people", "enrol", "Marie Dupont", "--from-sample", str(eval_file(SAMPLE)),
        "--consent-by", "dpo@example.org", env=env,
    )  # fmt: skip
    assert enrolled.returncode == 0, enrolled.stderr
    listing = run_cli("people", "list", env=env)
    assert "Marie Dupont" in listing.stdout and "dpo@example.org" in listing.stdout
    out = tmp_path / "out"
    named = run_cli(
        "transcribe", str(eval_file(OTHER)), "-l", "en", "--diarize", "--identify", "-f", "json,srt",
        "-o", str(out), "-q", env=env,
    )  # fmt: skip
    assert named.returncode == 0, named.stderr
    speakers = Transcript.load(out / "trn09.json").speakers
    assert [s.name for s in speakers if s.person_id] == ["Marie Dupont"]
    assert "Marie Dupont" in (out / "trn09.srt").read_text(encoding="utf-8")
    db = tmp_path / "people.db"
    with sqlite3.connect(db) as connection:
        [(vector,)] = connection.execute("SELECT vector FROM voiceprints").fetchall()
    assert len(vector) == 192 * 4
    forgotten = run_cli("people", "forget", "Marie Dupont", env=env)
    assert forgotten.returncode == 0 and "1 voiceprint" in forgotten.stdout
    assert "Marie Dupont" not in run_cli("people", "list", env=env).stdout
    on_disk = db.read_bytes() + (
        db.with_name("people.db-wal").read_bytes() if db.with_name("people.db-wal").exists() else b""
    )
    assert vector[:64] not in on_disk, "the forgotten print's bytes are still in the file"
    again = run_cli("people", "forget", "Marie Dupont", env=env)
    assert again.returncode == 2 and "nobody named" in again.stderr
