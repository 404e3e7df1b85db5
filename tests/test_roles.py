"""Roles: an organisation's first user is its admin; only admins add or remove destinations (403 for
members, with the fix); `greffier admin set-role` grants the role; the migration names an admin in
every existing organisation."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from greffier.delivery.secrets import new_key
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.models import Role, User


def _roles(db: Database) -> dict[str, str]:
    with db.read() as session:
        return {email: role for email, role in session.execute(sa.select(User.email, User.role))}


def test_the_first_user_of_an_organisation_is_its_admin(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    for org in ("acme", "globex"):
        accounts.create_organisation(db, org)
    accounts.create_user(db, "ana@acme.example", "acme")
    accounts.create_user(db, "bob@acme.example", "acme")
    accounts.create_user(db, "eve@acme.example", "acme", role="admin")
    accounts.create_user(db, "gus@globex.example", "globex")
    assert _roles(db) == {
        "ana@acme.example": "admin",
        "bob@acme.example": "member",
        "eve@acme.example": "admin",
        "gus@globex.example": "admin",
    }
    accounts.set_role(db, "bob@acme.example", "admin")
    accounts.set_role(db, "ana@acme.example", "member")
    assert _roles(db)["bob@acme.example"] == "admin" and _roles(db)["ana@acme.example"] == "member"
    with pytest.raises(accounts.AccountError, match="unknown role 'owner'") as error:
        accounts.set_role(db, "bob@acme.example", "owner")
    assert error.value.fix == "use one of admin, member"
    db.dispose()


def test_the_migration_makes_each_organisations_earliest_user_its_admin(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate("0006_hub_outbox")
    orgs = sa.table("organisations", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("created"))
    users = sa.table(
        "users",
        *(sa.column(c) for c in ("email", "name", "password_hash")),
        sa.column("id", sa.Uuid()),
        sa.column("organisation_id", sa.Uuid()),
        sa.column("created", sa.DateTime()),
    )
    acme, globex = uuid.uuid4(), uuid.uuid4()
    with db.engine.begin() as connection:
        day = datetime(2026, 1, 1)  # stored naive UTC, as the models store it
        connection.execute(
            sa.insert(orgs), [{"id": o, "name": str(o), "created": day} for o in (acme, globex)]
        )
        connection.execute(
            sa.insert(users),
            [
                {"id": uuid.uuid4(), "organisation_id": org, "email": email, "created": day.replace(day=d)}
                for org, email, d in (
                    (acme, "late@acme.example", 3),
                    (acme, "first@acme.example", 1),
                    (globex, "only@globex.example", 2),
                )
            ],
        )
    db.migrate()
    assert _roles(db) == {
        "late@acme.example": "member",
        "first@acme.example": "admin",
        "only@globex.example": "admin",
    }
    db.dispose()


def test_only_admins_manage_destinations_and_set_role_grants_it(tmp_path: Path) -> None:
    from servers import Service, seed_account, service_env

    admin_token = seed_account(tmp_path, "acme", "ana@acme.example", "correct horse battery")
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    accounts.create_user(db, "bob@acme.example", "acme")
    member_token = accounts.create_token(db, "bob@acme.example")
    db.dispose()
    env = service_env(tmp_path, delivery_key=new_key())
    service = Service(env, tmp_path / "serve.log").start()
    body = {"name": "hook", "kind": "webhook", "config": {"url": "https://crm.example/hook"}, "secret": "k"}
    try:
        admin, member = service.client(admin_token), service.client(member_token)
        assert admin.get("/api/session").json()["role"] == "admin"
        assert member.get("/api/session").json()["role"] == "member"
        refused = member.post("/api/destinations", json=body)
        assert refused.status_code == 403, refused.text
        error = refused.json()["error"]
        assert error["type"] == "permission_denied"
        assert error["message"].startswith(
            "only an admin of the organisation can add a destination, and bob@acme.example is a member — "
        )
        assert "greffier admin set-role bob@acme.example admin" in error["fix"]
        assert admin.post("/api/destinations", json=body).status_code == 201
        assert [d["name"] for d in member.get("/api/destinations").json()] == ["hook"]  # members see them
        removal = member.delete("/api/destinations/hook")
        assert removal.status_code == 403 and "remove a destination" in removal.json()["error"]["message"]

        granted = subprocess.run(
            [sys.executable, "-m", "greffier", "admin", "set-role", "bob@acme.example", "admin"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert granted.returncode == 0 and "is now admin" in granted.stdout, granted.stderr
        assert member.delete("/api/destinations/hook").status_code == 204
        assert member.get("/api/session").json()["role"] == Role.ADMIN
    finally:
        service.stop()
