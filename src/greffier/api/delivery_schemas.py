"""The JSON shapes of destinations and deliveries (`api/routers/delivery.py`). A destination's
secret goes in, never out: `has_secret` says whether it has one."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from email.utils import parseaddr
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field, StrictBool, StringConstraints

from greffier.app.delivery import DeliveryView
from greffier.delivery.kinds import Event, check_address
from greffier.store.models import Destination

Kind = Literal["matrix", "webdav", "email", "webhook"]
DeliveryStateName = Literal["pending", "sent", "failed"]


class DestinationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")
    kind: Kind
    config: dict[str, Any] = Field(
        description="matrix: homeserver, room, user?; webdav: url, username?; "
        "email: host, port, sender, recipients, participants, username?, ca_file?; webhook: url; all: events"
    )
    secret: str | None = Field(
        None,
        description="access token or password, or the webhook's signing key; stored encrypted",
        max_length=4096,
    )
    default: StrictBool = Field(
        False, description="deliver every meeting here unless a meeting chooses its own"
    )
    health_data: StrictBool = Field(False, description="may receive meetings marked as health data")


class DestinationOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: Kind
    config: dict[str, Any]
    has_secret: bool
    default: bool
    health_data: bool
    created: datetime

    @classmethod
    def build(cls, destination: Destination) -> DestinationOut:
        return cls(
            id=destination.id,
            name=destination.name,
            kind=destination.kind,  # type: ignore[arg-type]
            config=destination.config,
            has_secret=destination.secret is not None,
            default=destination.is_default,
            health_data=destination.health_data,
            created=destination.created,
        )


class DeliverIn(BaseModel):
    event: Event = "minutes.ready"
    destinations: list[str] | None = Field(
        None, description="names or ids; default: the meeting's own choice, else the organisation's defaults"
    )


def _participant(value: str) -> str:
    name, address = parseaddr(value)
    try:
        check_address(address)
    except ValueError:
        raise ValueError(f"{value!r} has no e-mail address: write 'Ana Martin <ana@example.org>'") from None
    name = " ".join(re.sub(r'[",;<>\\]', " ", name).split())  # kept readable, parsed back the same
    return f"{name} <{address}>" if name else address


Participant = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_participant)
]


class MeetingDeliveryIn(BaseModel):
    health_data: StrictBool | None = Field(None, description="the meeting holds health data")
    destinations: list[str] | None = Field(None, description="where this meeting goes (names or ids)")
    defaults: StrictBool = Field(
        False, description="forget the meeting's own choice: the organisation's defaults"
    )
    participants: list[Participant] | None = Field(
        None,
        max_length=200,
        description="the meeting's participants: 'Name <address>' or an address (e-mail destinations)",
    )


class MeetingDeliveryOut(BaseModel):
    health_data: bool
    destinations: list[uuid.UUID] | None = Field(description="null: the organisation's defaults")
    participants: list[str] = Field(default_factory=list, description="its participants with an address")


class DeliveryOut(BaseModel):
    id: uuid.UUID
    destination: str
    kind: Kind
    event: Event
    source: str | None = Field(description="the minutes job or call job id, or the transcript version")
    state: DeliveryStateName
    attempts: int
    error: str | None = Field(description="why it failed (or why the last try failed, while retrying)")
    fix: str | None
    created: datetime
    sent: datetime | None

    @classmethod
    def build(cls, view: DeliveryView) -> DeliveryOut:
        delivery = view.delivery
        return cls(
            id=delivery.id,
            destination=view.destination.name,
            kind=view.destination.kind,  # type: ignore[arg-type]
            event=delivery.event,  # type: ignore[arg-type]
            source=delivery.source,
            state=delivery.state,  # type: ignore[arg-type]
            attempts=delivery.attempts,
            error=delivery.error,
            fix=delivery.fix,
            created=delivery.created,
            sent=delivery.sent,
        )
