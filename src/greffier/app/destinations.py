"""An organisation's destinations, for the API and `greffier admin destination`: added (config
validated by its kind's model, `delivery.kinds`; secret sealed, `delivery.secrets`), listed, removed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from greffier.config import Settings
from greffier.delivery import secrets
from greffier.delivery.errors import DeliveryError
from greffier.delivery.kinds import CONFIG, KINDS, NEEDS_SECRET
from greffier.store.db import Database
from greffier.store.models import Delivery, Destination


@dataclass(frozen=True)
class NewDestination:
    name: str
    kind: str
    config: dict[str, Any]
    secret: str | None = None
    is_default: bool = False
    health_data: bool = False


def validate_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    if kind not in KINDS:
        raise DeliveryError(f"unknown destination kind {kind!r}", f"use one of {', '.join(KINDS)}")
    try:
        return CONFIG.validate_python({**config, "kind": kind}).model_dump()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'][1:]) or kind}: {error['msg'].removeprefix('Value error, ')}"
            for error in exc.errors()
        )
        raise DeliveryError(
            f"the {kind} destination is not valid: {problems}", "fix these settings"
        ) from None


def add_destination(
    db: Database, settings: Settings, organisation_id: uuid.UUID, new: NewDestination
) -> Destination:
    config = validate_config(new.kind, new.config)
    if NEEDS_SECRET[new.kind] and not new.secret:
        what = "an access token or the bot's password" if new.kind == "matrix" else "a signing key"
        raise DeliveryError(
            f"a {new.kind} destination needs a secret: {what}", "give it with --secret / 'secret'"
        )
    destination = Destination(
        organisation_id=organisation_id,
        name=new.name,
        kind=new.kind,
        config=config,
        secret=secrets.seal(settings, new.secret) if new.secret else None,
        is_default=new.is_default,
        health_data=new.health_data,
    )
    try:
        with db.write() as session:
            session.add(destination)
    except IntegrityError:
        raise DeliveryError(
            f"the organisation already has a destination named {new.name!r}",
            "choose another name, or remove it first",
        ) from None
    return destination


def list_destinations(db: Database, organisation_id: uuid.UUID) -> list[Destination]:
    with db.read() as session:
        query = select(Destination).where(Destination.organisation_id == organisation_id)
        return list(session.scalars(query.order_by(Destination.name)))


def find_destination(db: Database, organisation_id: uuid.UUID, name_or_id: str) -> Destination | None:
    for destination in list_destinations(db, organisation_id):
        if name_or_id in (destination.name, str(destination.id)):
            return destination
    return None


def remove_destination(db: Database, organisation_id: uuid.UUID, name_or_id: str) -> bool:
    """Remove it and its deliveries' records (what it received stays where it is)."""
    found = find_destination(db, organisation_id, name_or_id)
    if found is None:
        return False
    with db.write() as session:
        session.execute(delete(Delivery).where(Delivery.destination_id == found.id))
        session.execute(delete(Destination).where(Destination.id == found.id))
    return True
