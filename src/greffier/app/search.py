"""Search across one organisation's meetings (`greffier.search`): what the API, the web page and
`greffier search` ask, checked here (the meeting named is the organisation's, the dates in order)."""

from __future__ import annotations

import uuid
from datetime import datetime

from greffier.config import Settings
from greffier.errors import Invalid, NotFound
from greffier.search.filters import Scope
from greffier.search.query import Mode, SearchPage, search
from greffier.store.db import Database
from greffier.store.meetings import get_meeting


def scope_of(
    db: Database,
    organisation_id: uuid.UUID,
    *,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    speaker: str | None = None,
    meeting_id: uuid.UUID | None = None,
) -> Scope:
    """The organisation's meetings narrowed by the filters, once checked: the dates in order, the
    meeting one of the organisation's."""
    if created_from is not None and created_to is not None and created_from >= created_to:
        raise Invalid(
            "the search's 'from' date is not before its 'to' date",
            "give a 'from' earlier than 'to', or only one of them",
            param="from",
        )
    if meeting_id is not None:
        with db.read() as session:
            if get_meeting(session, organisation_id, meeting_id) is None:
                raise NotFound(
                    f"no meeting {meeting_id} in your organisation",
                    "search without 'meeting', or list your meetings (GET /api/meetings)",
                    param="meeting",
                )
    return Scope(organisation_id, created_from, created_to, (speaker or "").strip() or None, meeting_id)


def search_meetings(
    db: Database,
    settings: Settings,
    organisation_id: uuid.UUID,
    query: str,
    *,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    speaker: str | None = None,
    meeting_id: uuid.UUID | None = None,
    mode: Mode = Mode.BOTH,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The passages of the organisation's meetings that match `query`, best first, one page."""
    scope = scope_of(
        db,
        organisation_id,
        created_from=created_from,
        created_to=created_to,
        speaker=speaker,
        meeting_id=meeting_id,
    )
    return search(db, settings, scope, query, mode=mode, limit=limit, offset=offset)
