"""Emergency calls of the service: fill a meeting's case form from its transcript (a job, queue
`llm`), and read the form a job or a live call (`/ws/call`) stored with the meeting."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from greffier.app.backends import Backends, queue_job
from greffier.app.meetings import load_meeting, load_version
from greffier.assist.types import speaker_names
from greffier.calls.form import CaseForm
from greffier.calls.record import CASE_FILE
from greffier.calls.share import LiveShare, report
from greffier.errors import Invalid, NotFound, NotReady
from greffier.hub.relay import link_messages, outbox_of, queue_message
from greffier.jobs.models import CallJob
from greffier.store import meetings as store
from greffier.store.accounts import Principal
from greffier.store.models import HubOutbox, Job, JobState, Meeting
from greffier.transcript import Transcript

log = logging.getLogger("greffier.app")


def start_call(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, *, regulator: str | None, llm: bool
) -> Job:
    """The job filling the form from the latest transcript version; `regulator`, when given, must be
    one of its speakers."""
    meeting, row = load_version(backends, principal, meeting_id)
    if regulator is not None:
        speakers = sorted(speaker_names(Transcript.from_dict(row.body)))
        if regulator not in speakers:
            raise Invalid(
                f"speaker {regulator[:40]!r} does not speak in this meeting",
                f"use one of {', '.join(speakers)}, or leave regulator out to guess it"
                if speakers
                else "leave regulator out: this transcript has no speakers (upload with diarize=true)",
                param="regulator",
            )
    return queue_job(backends, principal, meeting, CallJob(regulator=regulator, llm=llm, version=row.version))


def load_case(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID
) -> tuple[Meeting, dict[str, Any]]:
    """The meeting and its case record (`calls.record`: the form and its export); `NotReady` while a
    job fills it or when that job failed, `NotFound` when there is none."""
    meeting = load_meeting(backends, principal, meeting_id)
    key = f"{store.meeting_prefix(meeting.organisation_id, meeting.id)}/{CASE_FILE}"
    with backends.db.read() as session:
        job = store.latest_job(session, meeting.id, kind="call")
    if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
        raise NotReady(
            f"the case form is being filled ({job.state}, {job.progress:.0%} done)",
            f"poll GET /api/jobs/{job.id} until its state is 'succeeded'",
        )
    if backends.blobs.exists(key):
        return meeting, json.loads(backends.blobs.get_bytes(key))
    if job is not None and job.state == JobState.FAILED:
        raise NotReady(
            f"filling the case form failed: {job.error}",
            f"fix the cause, then POST /api/meetings/{meeting_id}/call again",
            kind="call_failed",
        )
    raise NotFound(
        f"meeting {meeting_id} has no case form",
        f"fill it from the transcript with POST /api/meetings/{meeting_id}/call, or record the call on /ws/call",
    )


def rs_eda_report(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> dict[str, Any]:
    """The case as a SAMU-Hub message: an EDXL-DE envelope holding the RS-EDA case (`calls.share`),
    linking back to the meeting's case in Greffier."""
    meeting, record = load_case(backends, principal, meeting_id)
    started = meeting.created if meeting.created.tzinfo else meeting.created.replace(tzinfo=UTC)
    return report(
        CaseForm.from_dict(record["form"]), backends.settings, started, f"/api/meetings/{meeting_id}/call"
    )


def share_case(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> HubOutbox:
    """Queue the case's RS-EDA message in the SAMU-Hub outbox (`hub.relay` sends it)."""
    if backends.settings.hub_host is None:
        raise NotReady(
            "SAMU-Hub is not configured", "set GREFFIER_HUB_HOST and its certificates", kind="not_configured"
        )
    envelope = rs_eda_report(backends, principal, meeting_id)
    return queue_message(backends.db, principal.organisation_id, meeting_id, envelope)


def hub_messages(backends: Backends, principal: Principal, meeting_id: uuid.UUID) -> list[HubOutbox]:
    """The case's SAMU-Hub messages and where each stands."""
    load_meeting(backends, principal, meeting_id)
    return outbox_of(backends.db, principal.organisation_id, meeting_id)


class LiveCase:
    """A live call's case shared as the form fills (`/ws/call`, when SAMU-Hub is configured): the
    RS-EDA report as soon as the form knows where, then an RS-EDA-MAJ each time what it says changed
    (`calls.share.LiveShare`), each queued in the SAMU-Hub outbox under its own distribution id, so
    sent once by the relay of `greffier serve` (woken by `wake`), however often the form is read.
    Once the call is saved, its messages are linked to its meeting (`GET …/call/hub`)."""

    def __init__(self, backends: Backends, principal: Principal, wake: Callable[[], None]) -> None:
        self._backends, self._principal, self._wake = backends, principal, wake
        self.call_id = str(uuid.uuid4())
        """The case's id in the messages until the call is saved as a meeting."""
        self._share = LiveShare(backends.settings, datetime.now(UTC))
        self.queued: list[str] = []

    def share(self, form: CaseForm, final: bool) -> list[str]:
        """Queue what this state of the form calls for; the distribution ids queued."""
        form = replace(form, call_id=form.call_id or self.call_id)
        rows = [
            queue_message(self._backends.db, self._principal.organisation_id, None, envelope)
            for envelope in self._share.messages(form, datetime.now(UTC), final)
        ]
        self.queued += [row.distribution_id for row in rows]
        if rows:
            self._wake()
        return [row.distribution_id for row in rows]

    def saved(self, meeting_id: uuid.UUID) -> None:
        """The call is now this meeting (saved): its messages are listed with it. Not listed, and
        logged, when the database refuses; they are sent all the same."""
        try:
            link_messages(self._backends.db, self.queued, meeting_id)
        except SQLAlchemyError:
            log.exception(
                "the SAMU-Hub messages of call %s not listed with meeting %s", self.call_id, meeting_id
            )
