"""A transcribed meeting's speakers named after the people its organisation knows (the transcribe job's
`identify` option): the organisation's prints read from the database, then `label.identify_recording`."""

from __future__ import annotations

import uuid
from pathlib import Path

from greffier.config import Settings
from greffier.diarize.embed import get_embedder
from greffier.people.label import identify_recording
from greffier.store import people as store
from greffier.store.db import Database
from greffier.transcript import Transcript


def identify_meeting(
    db: Database, settings: Settings, organisation_id: uuid.UUID, audio: Path, transcript: Transcript
) -> Transcript:
    """`transcript` (diarized from the recording at `audio`) with the organisation's people it holds
    named; as it is when nobody is enrolled."""
    with db.read() as session:
        index = store.print_index(session, organisation_id)
    if not len(index) or not transcript.speakers:
        return transcript
    return identify_recording(audio, transcript, index, get_embedder(settings))
