"""Search across the caller's organisation's meetings (`greffier.search`): what the API, the web page
and `greffier search` ask, checked here (the meeting named is the caller's, the dates in order)."""

from __future__ import annotations

import uuid
from datetime import datetime

from greffier.app.backends import Backends
from greffier.app.meetings import load_meeting
from greffier.errors import Invalid
from greffier.search.filters import Scope
from greffier.search.query import Mode, SearchPage, search
from greffier.store.accounts import Principal


def search_meetings(
    backends: Backends,
    principal: Principal,
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
    if created_from is not None and created_to is not None and created_from >= created_to:
        raise Invalid(
            "the search's 'from' date is not before its 'to' date",
            "give a 'from' earlier than 'to', or only one of them",
            param="from",
        )
    if meeting_id is not None:
        load_meeting(backends, principal, meeting_id)  # NotFound for a meeting of another organisation
    scope = Scope(
        principal.organisation_id, created_from, created_to, (speaker or "").strip() or None, meeting_id
    )
    return search(backends.db, backends.settings, scope, query, mode=mode, limit=limit, offset=offset)
