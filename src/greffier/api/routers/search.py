"""/api/search: find passages across the organisation's meetings, by words and by meaning
(`app.search`, docs/search.md)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from greffier.api.deps import PrincipalDep, ServicesDep
from greffier.api.errors import ERROR_RESPONSES
from greffier.api.routers.meetings import IsoDatetime, _utc
from greffier.api.schemas import json_response
from greffier.api.search_schemas import SearchPageOut
from greffier.app.search import search_meetings
from greffier.search.query import CANDIDATES, MAX_QUERY_CHARS, Mode

router = APIRouter(prefix="/api/search", tags=["search"], responses=ERROR_RESPONSES)


@router.get(
    "",
    summary="Find passages across your organisation's meetings, by their words and their meaning",
    response_model=SearchPageOut,
)
def search(
    services: ServicesDep,
    principal: PrincipalDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_CHARS,
            description="words or a question, in any language (French and English stems, any accents)",
        ),
    ],
    created_from: Annotated[
        IsoDatetime | None,
        Query(alias="from", description="meetings created at or after (ISO 8601; UTC if no zone)"),
    ] = None,
    created_to: Annotated[
        IsoDatetime | None,
        Query(alias="to", description="meetings created before (ISO 8601; UTC if no zone)"),
    ] = None,
    speaker: Annotated[
        str | None, Query(max_length=200, description="a speaker's id or name (any case)")
    ] = None,
    meeting: Annotated[uuid.UUID | None, Query(description="only this meeting")] = None,
    mode: Annotated[Mode, Query(description="both (merged), words only, or meaning only")] = Mode.BOTH,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=2 * CANDIDATES)] = 0,
) -> Response:
    page = search_meetings(
        services.db,
        services.settings,
        principal.organisation_id,
        q,
        created_from=_utc(created_from),
        created_to=_utc(created_to),
        speaker=speaker,
        meeting_id=meeting,
        mode=mode,
        limit=limit,
        offset=offset,
    )
    return json_response(SearchPageOut.build(page, limit, offset))
