"""One delivery, run by its `deliver` job: the destination's secret opened, what to send built,
sent with retries and exponential back-off on transient errors (tenacity), and the outcome recorded
on the delivery: sent (with what the destination answered) or failed (the reason and the fix)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from greffier.config import Settings
from greffier.delivery import mail, matrix, secrets, webdav, webhook
from greffier.delivery.content import build
from greffier.delivery.errors import DeliveryError, Transient
from greffier.delivery.kinds import CONFIG
from greffier.delivery.schedule import HEALTH_FIX, HEALTH_REFUSAL
from greffier.delivery.target import Target
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.models import Delivery, DeliveryState, Destination, Meeting, utcnow

log = logging.getLogger("greffier.delivery")
SENDERS: dict[str, Callable[[Target], dict[str, Any]]] = {
    "matrix": matrix.deliver,
    "webdav": webdav.deliver,
    "email": mail.deliver,
    "webhook": webhook.deliver,
}


def _record(db: Database, delivery_id: uuid.UUID, **values: Any) -> None:
    with db.write() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            for name, value in values.items():
                setattr(delivery, name, value)


def _previous(db: Database, delivery: Delivery) -> dict[str, Any]:
    """What the last sent delivery of the same event of this meeting to this destination left there."""
    with db.read() as session:
        remote = session.scalar(
            select(Delivery.remote)
            .where(
                Delivery.meeting_id == delivery.meeting_id,
                Delivery.destination_id == delivery.destination_id,
                Delivery.event == delivery.event,
                Delivery.state == DeliveryState.SENT,
                Delivery.id != delivery.id,
            )
            .order_by(Delivery.sent.desc())
            .limit(1)
        )
    return remote or {}


def run(db: Database, blobs: BlobStore, settings: Settings, delivery_id: uuid.UUID) -> None:
    """Send the delivery; raises `DeliveryError` (after recording it) when it failed."""
    with db.read() as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.state == DeliveryState.SENT:
            return  # deleted, or an earlier attempt of this job sent it
        destination = session.get(Destination, delivery.destination_id)
        meeting = session.get(Meeting, delivery.meeting_id)
    if destination is None or meeting is None:
        return
    tries = delivery.attempts

    def note(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "delivery %s to %s: try %d failed: %s", delivery_id, destination.name, state.attempt_number, error
        )
        _record(db, delivery_id, attempts=tries + state.attempt_number, error=str(error), fix="retrying")

    retrying = Retrying(
        retry=retry_if_exception_type(Transient),
        stop=stop_after_attempt(settings.delivery_retries),
        wait=wait_exponential(multiplier=settings.delivery_backoff_s, max=60 * settings.delivery_backoff_s),
        before_sleep=note,
        reraise=True,
    )

    def tried() -> int:
        return tries + retrying.statistics.get("attempt_number", 1)

    try:
        if meeting.health_data and not destination.health_data:
            raise DeliveryError(HEALTH_REFUSAL.format(name=destination.name), HEALTH_FIX)
        target = Target(
            package=build(db, blobs, settings, delivery),
            config=CONFIG.validate_python(destination.config),
            secret=secrets.unseal(settings, destination.secret) if destination.secret else None,
            previous=_previous(db, delivery),
            timeout_s=settings.delivery_timeout_s,
        )
        remote = retrying(SENDERS[destination.kind], target)
    except DeliveryError as exc:
        fix = exc.fix or ""
        if isinstance(exc, Transient):
            fix = (
                f"it was tried {settings.delivery_retries} times; once it is back up, send it again "
                f"(POST /api/meetings/{delivery.meeting_id}/deliveries/{delivery_id}/resend)"
            )
        _record(db, delivery_id, state=DeliveryState.FAILED, attempts=tried(), error=exc.problem, fix=fix)
        raise
    _record(
        db,
        delivery_id,
        state=DeliveryState.SENT,
        attempts=tried(),
        error=None,
        fix=None,
        remote=remote,
        sent=utcnow(),
    )
