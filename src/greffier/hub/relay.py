"""The outbox relay: the SAMU-Hub messages of the database (`store.models.HubOutbox`) go to the hub,
and the recipient's answers come back.

A case is never lost: it is in the outbox before anything is sent, and a message the broker did not
confirm stays queued, tried again with back-off (`BACKOFF_S`: 2, 4, 8 … up to 300 s) while the
broker is down. It is never sent twice: a message is published once, under its distribution id,
and marked sent in the same step; only a crash between the broker's confirmation and that mark would
publish it again, under the same distribution id, which the recipient recognises. The recipient's
RC-REF marks it acknowledged; its RS-ERROR marks it refused, with the hub's error code, its cause
and the fix.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from greffier.hub.client import BROKER_ERRORS, HubConnection, connect, publish
from greffier.store.db import Database
from greffier.store.models import HubOutbox, HubOutboxState, utcnow

BACKOFF_S = (2, 4, 8, 16, 32, 64, 128, 300)
REFUSED_FIX = "correct the case as the cause says, then share it again (a new distribution)"


@dataclass
class Delivery:
    sent: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    error: str | None = None
    """Why the broker could not be reached this time (the messages wait for the next try)."""


def queue_message(
    db: Database, organisation_id: uuid.UUID, meeting_id: uuid.UUID | None, envelope: dict[str, Any]
) -> HubOutbox:
    """Put an envelope in the outbox (once: its distribution id is the key)."""
    with db.write() as session:
        row = session.get(HubOutbox, envelope["distributionID"])
        if row is None:
            row = HubOutbox(
                distribution_id=envelope["distributionID"],
                organisation_id=organisation_id,
                meeting_id=meeting_id,
                kind=envelope["distributionKind"],
                recipient=envelope["descriptor"]["explicitAddress"]["explicitAddressValue"],
                envelope=envelope,
                state=HubOutboxState.QUEUED,
                attempts=0,
                next_try=utcnow(),
            )
            session.add(row)
            session.flush()
        session.expunge(row)
        return row


def link_messages(db: Database, distribution_ids: list[str], meeting_id: uuid.UUID) -> None:
    """The messages of a live call, queued before it was saved, now listed with its meeting."""
    if not distribution_ids:
        return
    with db.write() as session:
        for row in session.scalars(select(HubOutbox).where(HubOutbox.distribution_id.in_(distribution_ids))):
            row.meeting_id = meeting_id


def deliver(db: Database, hub: HubConnection, now: datetime | None = None) -> Delivery:
    """One pass: publish what is due, then read the answers waiting on `<client_id>.message`."""
    now = now or utcnow()
    out = Delivery()
    try:
        connection = connect(hub)
    except BROKER_ERRORS as exc:
        out.error = f"the hub's broker {hub.host}:{hub.port} is unreachable ({exc.__class__.__name__}: {exc})"
        _back_off(db, now, out.error)
        return out
    try:
        channel = connection.channel()
        channel.confirm_select()
        with db.read() as session:
            due = session.scalars(
                select(HubOutbox.distribution_id)
                .where(HubOutbox.state == HubOutboxState.QUEUED, HubOutbox.next_try <= now)
                .order_by(HubOutbox.created)
            ).all()
        for distribution_id in due:
            with db.write() as session:
                # locked: a second relay (another `greffier serve` on this database) waits, then skips it
                row = session.get(HubOutbox, distribution_id, with_for_update=True)
                if row is None or row.state != HubOutboxState.QUEUED:
                    continue
                publish(channel, row.envelope, row.recipient)
                row.state, row.sent_at, row.attempts = HubOutboxState.SENT, utcnow(), row.attempts + 1
                row.error = row.fix = None
            out.sent.append(distribution_id)
        while (message := channel.basic_get(hub.queue)) is not None:
            _answer(db, json.loads(message.body), out)
            channel.basic_ack(message.delivery_tag)
    except BROKER_ERRORS as exc:
        out.error = f"the hub's broker went away ({exc.__class__.__name__}: {exc})"
        _back_off(db, now, out.error)
    finally:
        with contextlib.suppress(*BROKER_ERRORS):
            connection.close()
    return out


def _back_off(db: Database, now: datetime, error: str) -> None:
    with db.write() as session:
        for row in session.scalars(
            select(HubOutbox).where(HubOutbox.state == HubOutboxState.QUEUED, HubOutbox.next_try <= now)
        ):
            row.attempts += 1
            row.next_try = now + timedelta(seconds=BACKOFF_S[min(row.attempts, len(BACKOFF_S)) - 1])
            row.error = error
            row.fix = "nothing to do: it is tried again with back-off; check the broker if it lasts"


def _answer(db: Database, envelope: dict[str, Any], out: Delivery) -> None:
    """An RC-REF (acknowledged) or RS-ERROR (refused) from the recipient; anything else is left."""
    try:
        message = envelope["content"][0]["jsonContent"]["embeddedJsonContent"]["message"]
    except (KeyError, IndexError, TypeError):
        return
    if "reference" in message:
        referenced, state = message["reference"].get("distributionID"), HubOutboxState.ACKNOWLEDGED
    elif "error" in message:
        referenced, state = message["error"].get("referencedDistributionID"), HubOutboxState.REFUSED
    else:
        return
    with db.write() as session:
        row = session.get(HubOutbox, referenced) if referenced else None
        if row is None:
            return
        if state == HubOutboxState.ACKNOWLEDGED:
            row.state, row.acknowledged_at = state, utcnow()
            out.acknowledged.append(row.distribution_id)
        else:
            error = message["error"]
            code = error.get("errorCode", {})
            row.state = state
            row.error = (
                f"{code.get('statusCode')} {code.get('statusString')}: {error.get('errorCause', '')}".strip()
            )
            row.fix = REFUSED_FIX
            out.refused.append(row.distribution_id)


def outbox_of(db: Database, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> list[HubOutbox]:
    """A meeting's SAMU-Hub messages, oldest first, with their state."""
    with db.read() as session:
        rows = session.scalars(
            select(HubOutbox)
            .where(HubOutbox.organisation_id == organisation_id, HubOutbox.meeting_id == meeting_id)
            .order_by(HubOutbox.created)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)
