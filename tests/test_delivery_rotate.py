"""`greffier admin delivery rotate-key`: every destination's secret sealed again with a new key, which
opens them all and the old key none; a wrong current key changes nothing and says what to do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from greffier.app.destinations import NewDestination, add_destination
from greffier.config import Settings
from greffier.delivery.errors import DeliveryError
from greffier.delivery.secrets import new_key, unseal
from greffier.store import accounts
from greffier.store.db import Database
from greffier.store.models import Destination


def _secrets(db: Database) -> dict[str, str | None]:
    with db.read() as session:
        return {d.name: d.secret for d in session.scalars(select(Destination))}


def test_rotate_key_reseals_every_secret(tmp_path: Path) -> None:
    from servers import service_env

    old = new_key()
    db = Database(f"sqlite:///{tmp_path / 'greffier.db'}")
    db.migrate()
    organisation = accounts.create_organisation(db, "acme").id
    for new in (
        NewDestination("crm", "webhook", {"url": "https://crm.example/hook"}, "signing key"),
        NewDestination("drive", "webdav", {"url": "https://dav.example/r"}, "dav password"),
        NewDestination("open", "webdav", {"url": "https://dav.example/o"}),
    ):
        add_destination(db, Settings(delivery_key=old), organisation, new)
    before = _secrets(db)

    def rotate(current: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "greffier", "admin", "delivery", "rotate-key"]
        env = service_env(tmp_path, delivery_key=current)
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    wrong = rotate(new_key())
    assert wrong.returncode != 0 and "cannot be decrypted with GREFFIER_DELIVERY_KEY" in wrong.stderr
    assert "the key the secrets were sealed with" in wrong.stderr
    assert _secrets(db) == before

    done = rotate(old)
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert "2 secret(s) sealed with the new key" in done.stderr
    after = _secrets(db)
    assert after["open"] is None and after["crm"] != before["crm"] and after["drive"] != before["drive"]
    assert unseal(Settings(delivery_key=key), after["crm"]) == "signing key"
    assert unseal(Settings(delivery_key=key), after["drive"]) == "dav password"
    with pytest.raises(DeliveryError, match="GREFFIER_DELIVERY_KEY changed"):
        unseal(Settings(delivery_key=old), after["crm"])
    db.dispose()
