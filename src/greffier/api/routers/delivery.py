"""/api/destinations (where an organisation's meetings are delivered) and
/api/meetings/{id}/deliveries (what each meeting was sent, sent now, sent again). Nothing is sent
inside a request: each delivery is a `deliver` job (queue `deliver`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from greffier.api.delivery_schemas import (
    DeliverIn,
    DeliveryOut,
    DestinationIn,
    DestinationOut,
    MeetingDeliveryIn,
    MeetingDeliveryOut,
)
from greffier.api.deps import PrincipalDep, Services, ServicesDep
from greffier.api.errors import ADMIN_ONLY, ERROR_RESPONSES, not_found
from greffier.api.schemas import JobOut
from greffier.app import delivery as service
from greffier.app.backends import submit
from greffier.app.destinations import (
    NewDestination,
    add_destination,
    list_destinations,
    remove_destination,
)
from greffier.app.roles import require_admin
from greffier.store.accounts import Principal
from greffier.store.models import Meeting

destinations_router = APIRouter(prefix="/api/destinations", tags=["delivery"], responses=ERROR_RESPONSES)
meetings_router = APIRouter(prefix="/api/meetings", tags=["delivery"], responses=ERROR_RESPONSES)
_MEETINGS_FIX = "list your meetings with GET /api/meetings"


@destinations_router.get("", summary="The organisation's destinations (secrets are never returned)")
def get_destinations(services: ServicesDep, principal: PrincipalDep) -> list[DestinationOut]:
    return [DestinationOut.build(d) for d in list_destinations(services.db, principal.organisation_id)]


@destinations_router.post(
    "",
    status_code=201,
    summary="Add a destination: Matrix room, WebDAV folder, e-mail, webhook (admins only)",
    responses=ADMIN_ONLY,
)
def post_destination(services: ServicesDep, principal: PrincipalDep, body: DestinationIn) -> DestinationOut:
    require_admin(services.db, principal, "add a destination")
    new = NewDestination(body.name, body.kind, body.config, body.secret, body.default, body.health_data)
    return DestinationOut.build(
        add_destination(services.db, services.settings, principal.organisation_id, new)
    )


@destinations_router.delete(
    "/{name_or_id}",
    status_code=204,
    summary="Remove a destination and its deliveries' records (admins only)",
    responses=ADMIN_ONLY,
)
def delete_destination(services: ServicesDep, principal: PrincipalDep, name_or_id: str) -> Response:
    require_admin(services.db, principal, "remove a destination")
    if not remove_destination(services.db, principal.organisation_id, name_or_id):
        raise not_found("destination", repr(name_or_id), "list them with GET /api/destinations")
    return Response(status_code=204)


def _views(services: Services, principal: Principal, meeting_id: uuid.UUID) -> list[DeliveryOut]:
    try:
        return [
            DeliveryOut.build(v)
            for v in service.deliveries(services.db, principal.organisation_id, meeting_id)
        ]
    except LookupError:
        raise not_found("meeting", meeting_id, _MEETINGS_FIX) from None


@meetings_router.get(
    "/{meeting_id}/deliveries",
    summary="Each delivery of the meeting: pending, sent, or failed (why, and the fix)",
)
def get_deliveries(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID
) -> list[DeliveryOut]:
    return _views(services, principal, meeting_id)


@meetings_router.post(
    "/{meeting_id}/deliveries", status_code=202, summary="Deliver the meeting's latest result now"
)
def post_deliveries(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: DeliverIn
) -> list[DeliveryOut]:
    """What was already delivered (the same minutes to the same destination) is not delivered again."""
    try:
        scheduled = service.deliver_now(
            services.db,
            services.settings,
            principal.organisation_id,
            meeting_id,
            body.event,
            body.destinations,
        )
    except LookupError:
        raise not_found("meeting", meeting_id, _MEETINGS_FIX) from None
    for job in (s.job for s in scheduled if s.job is not None):
        submit(services, job)  # a job the broker refuses is failed, not left queued
    return _views(services, principal, meeting_id)


@meetings_router.post(
    "/{meeting_id}/deliveries/{delivery_id}/resend", status_code=202, summary="Send a failed delivery again"
)
def resend_delivery(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, delivery_id: uuid.UUID
) -> JobOut:
    try:
        job = service.resend(
            services.db, services.settings, principal.organisation_id, meeting_id, delivery_id
        )
    except LookupError as exc:
        raise not_found(
            "meeting or delivery", exc, f"list them with GET /api/meetings/{meeting_id}/deliveries"
        ) from None
    submit(services, job)
    return JobOut.model_validate(job)


def _choice(meeting: Meeting) -> MeetingDeliveryOut:
    return MeetingDeliveryOut(
        health_data=meeting.health_data,
        destinations=meeting.options.get("destinations"),
        participants=meeting.options.get("participants") or [],
    )


@meetings_router.get(
    "/{meeting_id}/delivery",
    summary="The meeting's health-data mark, its own destinations and its participants",
)
def get_meeting_delivery(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID
) -> MeetingDeliveryOut:
    try:
        return _choice(service.meeting_of(services.db, principal.organisation_id, meeting_id))
    except LookupError:
        raise not_found("meeting", meeting_id, _MEETINGS_FIX) from None


@meetings_router.put(
    "/{meeting_id}/delivery",
    summary="Set the meeting's health-data mark, its own destinations and its participants",
)
def put_meeting_delivery(
    services: ServicesDep, principal: PrincipalDep, meeting_id: uuid.UUID, body: MeetingDeliveryIn
) -> MeetingDeliveryOut:
    try:
        meeting = service.configure_meeting(
            services.db,
            principal.organisation_id,
            meeting_id,
            health_data=body.health_data,
            destinations=body.destinations,
            defaults=body.defaults,
            participants=body.participants,
        )
    except LookupError:
        raise not_found("meeting", meeting_id, _MEETINGS_FIX) from None
    return _choice(meeting)
