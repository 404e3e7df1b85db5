"""What a search may be narrowed to (organisation always; dates, speaker, meeting when asked), as SQL
conditions on `search_passages` joined to `meetings`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement

from greffier.store.models import Meeting, SearchPassage


@dataclass(frozen=True)
class Scope:
    organisation_id: uuid.UUID
    created_from: datetime | None = None
    created_to: datetime | None = None
    """Meetings created in [from, to)."""
    speaker: str | None = None
    """A speaker's id or name, as the transcript gives it (case ignored)."""
    meeting_id: uuid.UUID | None = None


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(scope: Scope) -> list[ColumnElement[bool]]:
    where = [SearchPassage.organisation_id == scope.organisation_id, Meeting.id == SearchPassage.meeting_id]
    if scope.created_from is not None:
        where.append(Meeting.created >= scope.created_from)
    if scope.created_to is not None:
        where.append(Meeting.created < scope.created_to)
    if scope.meeting_id is not None:
        where.append(SearchPassage.meeting_id == scope.meeting_id)
    if scope.speaker:
        needle = f"%|{_escape_like(scope.speaker.strip().casefold())}|%"
        where.append(SearchPassage.speakers.ilike(needle, escape="\\"))
    return where
