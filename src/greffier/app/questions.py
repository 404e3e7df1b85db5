"""Questions across the organisation's meetings (`POST /api/questions`, `greffier ask --all`): the
passages search finds for the question (`greffier.search`, within the filters) are read from their
transcript versions and answered by the model (`assist.across`), grounded in one meeting's span, or
"not said in these meetings". Through the API a question is a job of the `llm` queue (`ask_all`,
about no single meeting) whose answer is kept with the organisation; reading it leaves out what
rested on a meeting deleted since."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from greffier.app.assistant import clean_question
from greffier.app.backends import Backends, queue_job
from greffier.app.search import scope_of
from greffier.assist.across import AcrossAnswer, Found, ask_across, not_said
from greffier.assist.llm import LLM
from greffier.assist.qa import TOP_K
from greffier.config import Settings
from greffier.errors import NotFound
from greffier.jobs.models import AskAllJob, read_as
from greffier.search.filters import Scope
from greffier.search.query import Hit, search
from greffier.store import assistant as store
from greffier.store.accounts import Principal
from greffier.store.db import Database
from greffier.store.meetings import get_job, get_version
from greffier.store.models import Job, JobState, Meeting
from greffier.transcript import Segment, Transcript

DELETED = "the meeting this answer rested on was deleted since: ask again"


@dataclass(frozen=True)
class OrganisationQuestion:
    job: Job
    """The job answering it: its id is the question's."""
    asked: AskAllJob
    """The question and its filters."""
    answer: AcrossAnswer | None
    """Once the job has succeeded."""


def _scope(db: Database, organisation_id: uuid.UUID, asked: AskAllJob) -> Scope:
    return scope_of(
        db,
        organisation_id,
        created_from=asked.created_from,
        created_to=asked.created_to,
        speaker=asked.speaker,
        meeting_id=asked.meeting,
    )


def _found(db: Database, hits: Sequence[Hit]) -> list[Found]:
    """The hits' segments, read from their transcript versions, by meeting and version (best hit
    first; passages in transcript order, overlaps merged). Title hits have no segments; a line of
    minutes written from an older version points into that version."""
    wanted: dict[tuple[uuid.UUID, int], tuple[Hit, set[int]]] = {}
    for hit in hits:
        if hit.version is not None and hit.segment_ids:
            wanted.setdefault((hit.meeting_id, hit.version), (hit, set()))[1].update(hit.segment_ids)
    out = []
    with db.read() as session:
        for (meeting_id, version), (first, ids) in wanted.items():
            row = get_version(session, meeting_id, version)
            if row is None:  # deleted since the search
                continue
            transcript = Transcript.from_dict(row.body)
            passages = _runs([s for s in transcript.segments if s.id in ids])
            out.append(Found(meeting_id, first.meeting_title, first.meeting_created, transcript, passages))
    return out


def _runs(segments: list[Segment]) -> tuple[tuple[Segment, ...], ...]:
    """Segments (in transcript order) as runs of consecutive ones."""
    runs: list[list[Segment]] = []
    previous: int | None = None
    for s in segments:
        if runs and previous is not None and s.id == previous + 1:
            runs[-1].append(s)
        else:
            runs.append([s])
        previous = s.id
    return tuple(tuple(run) for run in runs)


def answer_all(
    db: Database,
    settings: Settings,
    organisation_id: uuid.UUID,
    asked: AskAllJob,
    *,
    language: str | None = None,
    llm: LLM | None = None,
) -> AcrossAnswer:
    """The answer to `asked` from the organisation's meetings (the job's work, and the CLI's);
    `language`: see `ask_across`."""
    question = clean_question(asked.question)
    page = search(db, settings, _scope(db, organisation_id, asked), question, limit=TOP_K)
    return ask_across(question, _found(db, page.hits), settings, language=language, llm=llm)


# -- the API's questions: jobs ---------------------------------------------------------------------
def _visible(db: Database, answer: AcrossAnswer) -> AcrossAnswer:
    """`answer` less what rests on meetings deleted since it was written."""
    cited = {p.meeting_id for p in answer.passages} | ({answer.meeting_id} if answer.meeting_id else set())
    with db.read() as session:
        existing = set(session.scalars(select(Meeting.id).where(Meeting.id.in_(cited))))
    if cited <= existing:
        return answer
    passages = tuple(p for p in answer.passages if p.meeting_id in existing)
    if answer.meeting_id is None or answer.meeting_id in existing:
        return dataclasses.replace(answer, passages=passages)
    return AcrossAnswer(
        answer.question,
        not_said(answer.language),
        found=False,
        language=answer.language,
        llm=answer.llm,
        notice=DELETED,
        passages=passages,
    )


def _question(backends: Backends, principal: Principal, job: Job) -> OrganisationQuestion:
    key = store.organisation_answer_key(principal.organisation_id, job.id)
    answer = None
    if job.state == JobState.SUCCEEDED and backends.blobs.exists(key):
        stored = AcrossAnswer.from_dict(json.loads(backends.blobs.get_bytes(key)))
        answer = _visible(backends.db, stored)
    return OrganisationQuestion(job, read_as(AskAllJob, job.payload), answer)


def ask_all(
    backends: Backends,
    principal: Principal,
    question: str,
    *,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    speaker: str | None = None,
    meeting_id: uuid.UUID | None = None,
) -> OrganisationQuestion:
    """The job answering `question` from the organisation's meetings (within the filters, checked now)."""
    asked = AskAllJob(
        question=clean_question(question),
        created_from=created_from,
        created_to=created_to,
        speaker=(speaker or "").strip() or None,
        meeting=meeting_id,
    )
    _scope(backends.db, principal.organisation_id, asked)
    return _question(backends, principal, queue_job(backends, principal, None, asked))


def list_questions(backends: Backends, principal: Principal) -> list[OrganisationQuestion]:
    """The questions asked across the organisation's meetings, oldest first."""
    with backends.db.read() as session:
        jobs = store.organisation_jobs(session, principal.organisation_id, store.ASK_ALL)
    return [_question(backends, principal, job) for job in jobs]


def get_question(backends: Backends, principal: Principal, question_id: uuid.UUID) -> OrganisationQuestion:
    with backends.db.read() as session:
        job = get_job(session, principal.organisation_id, question_id)
    if job is None or job.kind != store.ASK_ALL:
        raise NotFound(
            f"no question {question_id} asked across your meetings", "list them with GET /api/questions"
        )
    return _question(backends, principal, job)
