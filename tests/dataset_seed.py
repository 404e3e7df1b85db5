"""Meetings with a known transcript (the annotated Simsamu calls, ELITR meetings) put straight into a
service database, as a finished transcription would leave them: consent and export tests need speakers
and gold identifiers, not a fresh recognition."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from greffier.store.blobs import BlobStore
from greffier.store.db import Database
from greffier.store.meetings import add_version, meeting_prefix
from greffier.store.models import Meeting, MeetingStatus, Organisation
from greffier.store.search import fold
from greffier.transcript import Transcript


def organisation_id(db: Database, name: str) -> uuid.UUID:
    with db.read() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    assert found is not None, f"no organisation {name}"
    return found


def seed_meeting(
    db: Database,
    organisation: uuid.UUID,
    transcript: Transcript,
    title: str,
    *,
    audio: Path | None = None,
    blobs: BlobStore | None = None,
) -> uuid.UUID:
    """A done meeting whose transcript version 1 is `transcript`; with `audio`, its recording too."""
    meeting_id = uuid.uuid4()
    key = f"{meeting_prefix(organisation, meeting_id)}/audio{audio.suffix if audio else '.wav'}"
    size = 0
    if audio is not None and blobs is not None:
        with audio.open("rb") as source:
            size = blobs.put(key, source)
    with db.write() as session:
        session.add(
            Meeting(
                id=meeting_id,
                organisation_id=organisation,
                title=title,
                options={"language": transcript.language, "diarize": True, "speakers": None},
                status=MeetingStatus.DONE,
                filename=audio.name if audio else f"{title}.wav",
                audio_key=key,
                audio_bytes=size,
                language=transcript.language,
                duration=transcript.duration,
                search_text=fold(title),
            )
        )
    assert add_version(db, meeting_id, transcript.to_dict(), author="transcribe") is not None
    return meeting_id
