"""Rotating the key that seals destinations' secrets: every secret opened with the current key
(`Settings.delivery_key`) and sealed again with a new one, all in one transaction (a secret that
cannot be opened changes nothing)."""

from __future__ import annotations

from sqlalchemy import select

from greffier.config import Settings
from greffier.delivery.secrets import reseal
from greffier.store.db import Database
from greffier.store.models import Destination


def rotate_key(db: Database, settings: Settings, new_key: str) -> int:
    """Seal every destination's secret with `new_key`; returns how many were sealed again."""
    with db.write() as session:
        found = list(session.scalars(select(Destination).where(Destination.secret.is_not(None))))
        for destination in found:
            assert destination.secret is not None
            destination.secret = reseal(settings, new_key, destination.secret)
    return len(found)
