"""The JSON shapes of a search across meetings (`api/routers/search.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from greffier.search.query import Hit, SearchPage


class SearchHitOut(BaseModel):
    meeting_id: uuid.UUID
    meeting_title: str
    meeting_created: datetime
    kind: Literal["title", "transcript", "minutes"] = Field(
        description="where the passage is: the meeting's title, its latest transcript, or its minutes"
    )
    start: float = Field(description="seconds into the meeting (0 for the title)")
    end: float
    speakers: list[str] = Field(description="the speakers of the passage: their ids and names")
    snippet: str = Field(description="the passage's text, cut around the first matched word when long")
    highlights: list[tuple[int, int]] = Field(
        description="[start, end) of each matched word in `snippet`, in Unicode code points"
    )
    link: str = Field(description="the meeting's web page at that moment (`#t=start,end`)")
    score: float = Field(description="reciprocal-rank fusion of the words and meaning rankings")

    @classmethod
    def build(cls, hit: Hit) -> SearchHitOut:
        return cls(
            meeting_id=hit.meeting_id,
            meeting_title=hit.meeting_title,
            meeting_created=hit.meeting_created,
            kind=hit.kind,  # type: ignore[arg-type]  # one of the three kinds the indexer writes
            start=hit.start,
            end=hit.end,
            speakers=list(hit.speakers),
            snippet=hit.snippet.text,
            highlights=list(hit.snippet.highlights),
            link=hit.link,
            score=hit.score,
        )


class SearchPageOut(BaseModel):
    items: list[SearchHitOut]
    total: int = Field(description="hits ranked (at most 100 by words and 100 by meaning, merged)")
    limit: int
    offset: int

    @classmethod
    def build(cls, page: SearchPage, limit: int, offset: int) -> SearchPageOut:
        return cls(
            items=[SearchHitOut.build(h) for h in page.hits], total=page.total, limit=limit, offset=offset
        )
