"""Deliveries of a meeting: a finished job's result owed to its destinations (`announce`, from the
task types), deliveries listed, sent now, sent again; its own choice of destinations and participants,
and its health-data mark. The mechanics (destinations, what is owed, sending, each kind's talking) are
the `greffier.delivery` package's; the API queues the `deliver` jobs returned (`backends.submit`), the
workers' queues pick up those of `announce`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from greffier.config import Settings
from greffier.delivery.errors import DeliveryError
from greffier.delivery.schedule import Scheduled, chosen, queue_delivery, schedule
from greffier.store import assistant
from greffier.store.db import Database
from greffier.store.meetings import get_meeting, get_version, latest_job
from greffier.store.models import (
    Delivery,
    DeliveryState,
    Destination,
    Job,
    JobState,
    Meeting,
    TranscriptVersion,
)


@dataclass(frozen=True)
class DeliveryView:
    delivery: Delivery
    destination: Destination


def meeting_of(db: Database, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> Meeting:
    """The organisation's meeting (its health-data mark, its own destinations and participants)."""
    with db.read() as session:
        meeting = get_meeting(session, organisation_id, meeting_id)
    if meeting is None:
        raise LookupError(f"meeting {meeting_id}")
    return meeting


def deliveries(db: Database, organisation_id: uuid.UUID, meeting_id: uuid.UUID) -> list[DeliveryView]:
    meeting_of(db, organisation_id, meeting_id)
    with db.read() as session:
        rows = session.execute(
            select(Delivery, Destination)
            .join(Destination, Destination.id == Delivery.destination_id)
            .where(Delivery.meeting_id == meeting_id)
            .order_by(Delivery.created, Delivery.id)
        )
        return [DeliveryView(delivery, destination) for delivery, destination in rows]


def _source(db: Database, meeting: Meeting, event: str) -> str:
    """What `event` would deliver now: the latest minutes or case form written, the latest version."""
    with db.read() as session:
        if event == "meeting.transcribed":
            row = get_version(session, meeting.id)
            if row is not None:
                return str(row.version)
        else:
            kind = assistant.MINUTES if event == "minutes.ready" else "call"
            job = latest_job(session, meeting.id, kind)
            if job is not None and job.state == JobState.SUCCEEDED:
                return job.id.hex
    what = {
        "meeting.transcribed": "a transcript",
        "minutes.ready": "minutes",
        "call.completed": "a call form",
    }
    raise DeliveryError(
        f"meeting {meeting.id} has no {what[event]} to deliver yet", "wait for its job, or write it first"
    )


def deliver_now(
    db: Database,
    settings: Settings,
    organisation_id: uuid.UUID,
    meeting_id: uuid.UUID,
    event: str,
    names: list[str] | None,
) -> list[Scheduled]:
    meeting = meeting_of(db, organisation_id, meeting_id)
    source = _source(db, meeting, event)
    with db.write() as session:
        if names is None and not chosen(session, meeting, event, None):
            raise DeliveryError(
                f"meeting {meeting_id} has no destination for {event}",
                "name destinations, or add one with --default (greffier admin destination add)",
            )
        return schedule(session, settings, meeting, event, source, names)


def resend(
    db: Database,
    settings: Settings,
    organisation_id: uuid.UUID,
    meeting_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> Job:
    """Send a failed delivery again (the same delivery: what it already posted is not posted twice)."""
    meeting = meeting_of(db, organisation_id, meeting_id)
    with db.write() as session:
        delivery = session.scalar(
            select(Delivery)
            .where(Delivery.id == delivery_id, Delivery.meeting_id == meeting.id)
            .with_for_update()
        )
        if delivery is None:
            raise LookupError(f"delivery {delivery_id}")
        if delivery.state != DeliveryState.FAILED:
            raise DeliveryError(
                f"delivery {delivery_id} is {delivery.state}: only a failed delivery is sent again",
                f"follow it with GET /api/meetings/{meeting_id}/deliveries"
                if delivery.state == "pending"
                else "to send newer minutes, write them: they are delivered on their own",
            )
        delivery.state, delivery.error, delivery.fix = DeliveryState.PENDING, None, None
        return queue_delivery(session, settings, delivery)


def configure_meeting(
    db: Database,
    organisation_id: uuid.UUID,
    meeting_id: uuid.UUID,
    *,
    health_data: bool | None,
    destinations: list[str] | None,
    defaults: bool,
    participants: list[str] | None = None,
) -> Meeting:
    """Mark the meeting as health data (or not); choose its destinations (or go back to the defaults);
    list its participants with their addresses (e-mail destinations write to them)."""
    with db.write() as session:
        meeting = get_meeting(session, organisation_id, meeting_id)
        if meeting is None:
            raise LookupError(f"meeting {meeting_id}")
        if health_data is not None:
            meeting.health_data = health_data
        if destinations is not None or defaults:
            options = {k: v for k, v in meeting.options.items() if k != "destinations"}
            if destinations is not None:
                options["destinations"] = [str(d.id) for d in chosen(session, meeting, "", destinations)]
            meeting.options = options
        if participants is not None:
            meeting.options = {**meeting.options, "participants": participants}
        return meeting


def announce(db: Database, settings: Settings, meeting_id: uuid.UUID, event: str, source: str) -> None:
    """A job's result is ready: owe it to the meeting's destinations. The queue picks the jobs up
    (embedded workers poll the database; in scaled mode the sweeper sends jobs never dispatched)."""
    with db.write() as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is not None:
            schedule(session, settings, meeting, event, source)


def announce_transcript(db: Database, settings: Settings, meeting_id: uuid.UUID, job_id: uuid.UUID) -> None:
    """The transcript version a transcription job stored is ready (`meeting.transcribed`)."""
    with db.read() as session:
        version = session.scalar(select(TranscriptVersion.version).where(TranscriptVersion.job_id == job_id))
    if version is not None:
        announce(db, settings, meeting_id, "meeting.transcribed", str(version))
