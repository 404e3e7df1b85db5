"""Passwords, web sign-ins that expire, and the search column (with the migration that fills it), on a
real SQLite database."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from greffier.store import accounts
from greffier.store.accounts import AccountError
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, delete_meeting, list_meetings
from greffier.store.models import Meeting, MeetingStatus, utcnow
from greffier.store.search import fold
from servers import service_env


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'greffier.db'}")  # the data folder's database
    database.migrate()
    accounts.create_organisation(database, "acme")
    accounts.create_user(database, "Ana@acme.example", "acme")
    return database


def test_password_sign_in(db: Database) -> None:
    with pytest.raises(AccountError, match="too short") as short:
        accounts.set_password(db, "Ana@acme.example", "1234567")
    assert "8 characters" in (short.value.fix or "")
    assert accounts.check_password(db, "Ana@acme.example", "anything at all") is None  # no password yet
    accounts.set_password(db, "Ana@acme.example", "correct horse")
    principal = accounts.check_password(db, " ana@ACME.example ", "correct horse")  # e-mail: any case
    assert principal is not None and principal.email == "Ana@acme.example"
    assert accounts.check_password(db, "Ana@acme.example", "correct horse ") is None
    assert accounts.check_password(db, "bob@acme.example", "correct horse") is None
    with db.read() as session:
        stored = session.scalar(sa.text("SELECT password_hash FROM users"))
    assert stored.startswith("scrypt$") and "correct horse" not in stored


def test_admin_set_password_command(db: Database, tmp_path: Path) -> None:
    env = service_env(tmp_path)

    def set_password(password: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "greffier", "admin", "set-password", "Ana@acme.example", "--stdin"]
        return subprocess.run(command, env=env, input=f"{password}\n", capture_output=True, text=True)

    short = set_password("short")
    assert short.returncode == 2 and "too short" in short.stderr + short.stdout
    assert set_password("a long pass phrase").returncode == 0
    assert accounts.check_password(db, "Ana@acme.example", "a long pass phrase") is not None


def test_sign_ins_expire_and_sign_out_revokes(db: Database) -> None:
    accounts.set_password(db, "Ana@acme.example", "correct horse")
    principal = accounts.check_password(db, "Ana@acme.example", "correct horse")
    assert principal is not None
    token, expires = accounts.create_session(db, principal, timedelta(hours=1))
    assert accounts.authenticate(db, token) == principal
    assert timedelta(minutes=59) < expires - utcnow() <= timedelta(hours=1)
    expired, _ = accounts.create_session(db, principal, timedelta(seconds=-1))
    assert accounts.authenticate(db, expired) is None
    accounts.revoke_token(db, token)
    assert accounts.authenticate(db, token) is None
    api_token = accounts.create_token(db, "Ana@acme.example")
    accounts.create_session(db, principal, timedelta(hours=1))  # prunes the expired sign-in
    with db.read() as session:
        assert session.scalar(sa.text("SELECT count(*) FROM api_tokens")) == 2
    assert accounts.authenticate(db, api_token) == principal, "API tokens do not expire"
    assert accounts.account(db, principal).organisation == "acme"


def test_search_folds_case_and_accents(db: Database, tmp_path: Path) -> None:
    assert fold("  Réunion  du\nCOMITÉ ", "Œuvre") == "reunion du comite\nœuvre"
    principal = _principal(db)
    meeting_id = uuid.uuid4()
    with db.write() as session:
        session.add(_meeting(meeting_id, principal.organisation_id, "Conseil d'école"))
    add_version(db, meeting_id, {"text": "Le budget de la cantine est voté."}, author="t")
    with db.read() as session:

        def found(text: str) -> int:
            return list_meetings(session, principal.organisation_id, text=text).total

        assert found("ECOLE") == found("budget cantine") == found("vote") == 1
        assert found("budget piscine") == 0 and found("100%") == 0
    assert delete_meeting(db, BlobStore(tmp_path / "blobs"), principal.organisation_id, meeting_id)


def test_migration_fills_search_text_of_existing_meetings(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    db.migrate("0001")
    org, meeting = uuid.uuid4(), uuid.uuid4()
    with db.write() as session:
        now = utcnow().replace(tzinfo=None)
        session.execute(
            sa.text("INSERT INTO organisations (id, name, created) VALUES (:id, 'acme', :now)"),
            {"id": org.hex, "now": now},
        )
        session.execute(
            sa.text(
                "INSERT INTO meetings (id, organisation_id, title, created, options, status, filename, "
                "audio_key, audio_bytes) VALUES (:id, :org, 'Réunion', :now, '{}', 'done', 'a.wav', 'k', 1)"
            ),
            {"id": meeting.hex, "org": org.hex, "now": now},
        )
        for version, text in ((1, "Première version"), (2, "Décision prise")):
            session.execute(
                sa.text(
                    "INSERT INTO transcript_versions (meeting_id, version, created, author, body) "
                    "VALUES (:id, :v, :now, 'a', :body)"
                ),
                {"id": meeting.hex, "v": version, "now": now, "body": f'{{"text": "{text}"}}'},
            )
    db.migrate()
    with db.read() as session:
        assert session.scalar(sa.select(Meeting.search_text)) == "reunion\ndecision prise"


def _principal(db: Database) -> accounts.Principal:
    with db.read() as session:
        user_id, org_id = session.execute(sa.text("SELECT id, organisation_id FROM users")).one()
    return accounts.Principal(uuid.UUID(user_id), uuid.UUID(org_id), "Ana@acme.example")


def _meeting(meeting_id: uuid.UUID, organisation_id: uuid.UUID, title: str) -> Meeting:
    return Meeting(
        id=meeting_id,
        organisation_id=organisation_id,
        title=title,
        options={},
        status=MeetingStatus.DONE,
        filename="a.wav",
        audio_key=f"orgs/{organisation_id.hex}/meetings/{meeting_id.hex}/audio.wav",
        audio_bytes=1,
        search_text=fold(title),
    )
