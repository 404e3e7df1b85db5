"""What is owed: a `Delivery` row per (meeting, destination, event, source) and a `deliver` job
to send it. Scheduling twice what was already scheduled does nothing (a retried job announces its
result again), so the same minutes are never owed twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from greffier.config import Settings
from greffier.delivery.errors import DeliveryError
from greffier.jobs.models import DeliverJob
from greffier.jobs.registry import create_job
from greffier.store.models import (
    Delivery,
    DeliveryState,
    Destination,
    Job,
    Meeting,
    utcnow,
)

HEALTH_REFUSAL = "the meeting holds health data, and destination {name!r} is not allowed to receive it"
HEALTH_FIX = "deliver it to a destination added with --health-data (a certified host), or unmark the meeting"


@dataclass(frozen=True)
class Scheduled:
    delivery: Delivery
    job: Job | None
    """None when the delivery was refused at once (health data)."""


def chosen(session: Session, meeting: Meeting, event: str, names: list[str] | None) -> list[Destination]:
    """The destinations `names` (names or ids) if given, else the meeting's own choice, else the
    organisation's defaults; only those that take this event unless named."""
    query = select(Destination).where(Destination.organisation_id == meeting.organisation_id)
    every = list(session.scalars(query.order_by(Destination.name)))
    if names is not None:
        found = [d for d in every if d.name in names or str(d.id) in names]
        missing = set(names) - {d.name for d in found} - {str(d.id) for d in found}
        if missing:
            raise DeliveryError(
                f"no destination {sorted(missing)[0]!r} in this organisation",
                "list them with GET /api/destinations",
            )
        return found
    own = meeting.options.get("destinations")
    picked = [d for d in every if str(d.id) in own] if own is not None else [d for d in every if d.is_default]
    return [d for d in picked if event in d.config.get("events", ())]


def schedule(
    session: Session,
    settings: Settings,
    meeting: Meeting,
    event: str,
    source: str,
    names: list[str] | None = None,
) -> list[Scheduled]:
    """Owe `event` of `meeting` (what `source` names) to its destinations, in the caller's transaction."""
    done = []
    for destination in chosen(session, meeting, event, names):
        existing = session.scalar(
            select(Delivery).where(
                Delivery.meeting_id == meeting.id,
                Delivery.destination_id == destination.id,
                Delivery.event == event,
                Delivery.source == source,
            )
        )
        if existing is not None:
            continue
        delivery = Delivery(
            id=uuid.uuid4(),
            organisation_id=meeting.organisation_id,
            meeting_id=meeting.id,
            destination_id=destination.id,
            event=event,
            source=source,
            state=DeliveryState.PENDING,
            attempts=0,
            remote={},
            created=utcnow(),
        )
        session.add(delivery)
        if meeting.health_data and not destination.health_data:
            delivery.state = DeliveryState.FAILED
            delivery.error, delivery.fix = HEALTH_REFUSAL.format(name=destination.name), HEALTH_FIX
            done.append(Scheduled(delivery, None))
            continue
        done.append(Scheduled(delivery, queue_delivery(session, settings, delivery)))
    return done


def queue_delivery(session: Session, settings: Settings, delivery: Delivery) -> Job:
    return create_job(
        session,
        settings,
        organisation_id=delivery.organisation_id,
        meeting_id=delivery.meeting_id,
        job=DeliverJob(delivery_id=delivery.id),
    )
