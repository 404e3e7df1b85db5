"""The CLI's people: the service's tables (`store.people`, the same migrations) in a SQLite file of
their own, `<data_dir>/people.db`, under one organisation named `local`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from greffier.config import Settings
from greffier.store.db import Database
from greffier.store.models import Organisation

LOCAL_ORGANISATION = "local"


def local_url(settings: Settings) -> str:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{settings.data_dir / 'people.db'}"


@contextmanager
def local_store(settings: Settings) -> Iterator[tuple[Database, uuid.UUID]]:
    """The local database (migrated) and its organisation's id."""
    db = Database(local_url(settings))
    try:
        db.migrate()
        with db.write() as session:
            organisation = session.scalar(select(Organisation).where(Organisation.name == LOCAL_ORGANISATION))
            if organisation is None:
                organisation = Organisation(name=LOCAL_ORGANISATION)
                session.add(organisation)
                session.flush()
            organisation_id = organisation.id
        yield db, organisation_id
    finally:
        db.dispose()
