"""What a delivery sends (`Package`), built from the meeting's stored results: for `minutes.ready`
the minutes (JSON, Markdown, Word) and the transcript they were written from (Word, SRT, Markdown);
for `meeting.transcribed` that transcript version; for `call.completed` the call's case form."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from greffier import export
from greffier.assist.types import Minutes
from greffier.config import Settings
from greffier.delivery.errors import DeliveryError
from greffier.jobs.models import MinutesJob, read_as
from greffier.store import assistant
from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import get_version, meeting_prefix
from greffier.store.models import Delivery, Meeting
from greffier.transcript import Transcript

TRANSCRIPT_FORMATS = ("docx", "srt", "md")


@dataclass(frozen=True)
class Package:
    delivery_id: uuid.UUID
    event: str
    source: str
    """What is delivered: the minutes or call job (hex id), or the transcript version."""
    meeting_id: uuid.UUID
    title: str
    created: datetime
    link: str | None
    participants: tuple[str, ...] = ()
    """The meeting's participants with an address ("Name <address>" or the address)."""
    minutes: Minutes | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    """File name -> content: what a folder receives (a rewrite replaces the same names)."""
    data: dict[str, Any] = field(default_factory=dict)
    """The event's JSON body (webhooks)."""

    @property
    def folder(self) -> str:
        """'2026-12-07 Comité de pilotage': a folder name (no slash, no control character)."""
        title = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", " ", self.title).strip(" .") or "meeting"
        return f"{self.created:%Y-%m-%d} {title[:120]}"


def _transcript_files(transcript: Transcript) -> dict[str, bytes]:
    files = {}
    for fmt in TRANSCRIPT_FORMATS:
        content = export.render(transcript, fmt)
        files[f"Transcript.{fmt}"] = content.encode() if isinstance(content, str) else content
    return files


def _gone(what: str) -> DeliveryError:
    return DeliveryError(f"{what} is no longer there", "write it again, then resend the delivery")


def build(db: Database, blobs: BlobStore, settings: Settings, delivery: Delivery) -> Package:
    with db.read() as session:
        meeting = session.get(Meeting, delivery.meeting_id)
        if meeting is None:
            raise _gone(f"meeting {delivery.meeting_id}")
        link = f"{settings.public_url.rstrip('/')}/meetings/{meeting.id}" if settings.public_url else None
        base = {
            "delivery_id": delivery.id,
            "event": delivery.event,
            "source": delivery.source or "",
            "meeting_id": meeting.id,
            "title": meeting.title,
            "created": meeting.created,
            "link": link,
            "participants": tuple(meeting.options.get("participants") or ()),
        }
        folder = meeting_prefix(meeting.organisation_id, meeting.id)
        if delivery.event == "call.completed":
            key = f"{folder}/call.json"
            if not blobs.exists(key):
                raise _gone("the call's case form")
            return Package(
                **base, files={"call.json": blobs.get_bytes(key)}, data=json.loads(blobs.get_bytes(key))
            )
        if delivery.event == "meeting.transcribed":
            row = get_version(session, meeting.id, int(delivery.source or 0) or None)
            if row is None:
                raise _gone(f"transcript version {delivery.source}")
            transcript = Transcript.from_dict(row.body)
            data = {"version": row.version, "language": transcript.language, "duration": transcript.duration}
            return Package(**base, files=_transcript_files(transcript), data=data)
        job = assistant.job_of(session, meeting.id, assistant.MINUTES, uuid.UUID(delivery.source or ""))
        if job is None:
            raise _gone("the minutes")
        row = get_version(session, meeting.id, read_as(MinutesJob, job.payload).version)
    keys = {
        fmt: assistant.minutes_key(meeting.organisation_id, meeting.id, job.id, fmt)
        for fmt in ("json", "md", "docx")
    }
    if not blobs.exists(keys["json"]) or row is None:
        raise _gone("the minutes")
    minutes = Minutes.from_dict(json.loads(blobs.get_bytes(keys["json"])))
    files = _transcript_files(Transcript.from_dict(row.body))
    files |= {f"Minutes.{fmt}": blobs.get_bytes(keys[fmt]) for fmt in ("docx", "md")}
    data = {"transcript_version": row.version, "minutes": minutes.to_dict()}
    return Package(**base, minutes=minutes, files=files, data=data)
