"""The JSON shapes of a question across the organisation's meetings (`api/routers/questions.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from greffier.api.routers.meetings import IsoDatetime, _utc
from greffier.api.schemas import MAX_QUESTION_CHARS, JobOut
from greffier.app.questions import OrganisationQuestion
from greffier.assist.across import AcrossAnswer


class OrganisationJobOut(JobOut):
    """The job of a question across meetings: about no single meeting, so without `meeting_id` (a
    null that clients, and schemathesis's links, would take for a meeting's id)."""

    meeting_id: None = Field(None, exclude=True)


class OrganisationQuestionIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="a question about what was said"
    )
    created_from: IsoDatetime | None = Field(
        None, alias="from", description="only meetings created at or after (ISO 8601; UTC if no zone)"
    )
    created_to: IsoDatetime | None = Field(
        None, alias="to", description="only meetings created before (ISO 8601; UTC if no zone)"
    )
    meeting: uuid.UUID | None = Field(None, description="only this meeting")
    speaker: str | None = Field(
        None, max_length=200, description="only passages of this speaker (id or name)"
    )

    def dates(self) -> tuple[datetime | None, datetime | None]:
        return _utc(self.created_from), _utc(self.created_to)


class OrganisationQuestionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)
    id: uuid.UUID = Field(description="the question's id (that of the job answering it)")
    question: str
    created_from: datetime | None = Field(serialization_alias="from")
    created_to: datetime | None = Field(serialization_alias="to")
    meeting: uuid.UUID | None
    speaker: str | None
    created: datetime
    job: OrganisationJobOut
    answer: AcrossAnswer | None = Field(
        description="null until the job has succeeded; `found` false: not said in these meetings; "
        "`meeting_id`, `meeting_title` and `spans`: where the answer was said"
    )

    @classmethod
    def build(cls, q: OrganisationQuestion) -> OrganisationQuestionOut:
        return cls(
            id=q.job.id,
            question=q.asked.question,
            created_from=q.asked.created_from,
            created_to=q.asked.created_to,
            meeting=q.asked.meeting,
            speaker=q.asked.speaker,
            created=q.job.created,
            job=OrganisationJobOut.model_validate(q.job),
            answer=q.answer,
        )
