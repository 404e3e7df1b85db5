"""Task types: what a job does. A task type is a function of a `JobContext` and of its typed job
(a model of `jobs.models`), registered with the queue (asr, diarize, llm, deliver) its workers listen to:

    @task(MinutesJob, queue="llm")
    def minutes(ctx: JobContext, job: MinutesJob) -> None:
        transcript = ctx.transcript(job.version)
        ...
        ctx.blobs.put_bytes(ctx.blob_key("minutes.json"), data)

Task functions must be idempotent: a job whose worker died is run again (`ctx.attempt` > 1), and
what the previous attempt stored may already be there. `ctx.blobs` is the only way a task writes
files (`JobBlobs`): a meeting's job writes only in that meeting's folder, and a write that finds the
job or its meeting deleted meanwhile is erased again (`JobGone`), so no job can bring a deleted
meeting back.
"""

from __future__ import annotations

import dataclasses
import json

from greffier.jobs.context import JobContext, JobGone
from greffier.jobs.models import (
    AskAllJob,
    AskJob,
    CallJob,
    DatasetExportJob,
    DeliverJob,
    MinutesJob,
    TranscribeJob,
)
from greffier.jobs.registry import task
from greffier.store import assistant


@task(TranscribeJob, queue="asr")
def transcribe(ctx: JobContext, job: TranscribeJob) -> None:
    """Audio -> Transcript (recognition, then speakers if asked), stored as version 1."""
    from greffier.pipeline import transcribe_file

    if ctx.transcript_stored():
        _index(ctx)  # an earlier attempt may have died before indexing
        return _announce_transcript(ctx)
    meeting = ctx.meeting()
    options = job.pipeline_options()
    ctx.stage_weights = {"decode": 0.05, "vad": 0.05, "asr": 0.9}
    if options.diarize:
        ctx.stage_weights |= {"asr": 0.7, "diarize": 0.2}
    if job.identify:
        ctx.stage_weights |= {"asr": 0.65, "identify": 0.05}
    transcript = transcribe_file(ctx.audio_path(), options, settings=ctx.settings, progress=ctx.progress)
    if job.identify:
        from greffier.people.known import identify_meeting

        ctx.progress("identify", 0.0)
        transcript = identify_meeting(ctx.db, ctx.settings, ctx.organisation_id, ctx.audio_path(), transcript)
    ctx.store_transcript(dataclasses.replace(transcript, source=meeting.filename))
    _index(ctx)
    _announce_transcript(ctx)


def _index(ctx: JobContext) -> None:
    """The meeting's passages in the search index (`greffier.search`), from what was just stored."""
    from greffier.search.indexer import index_quietly

    if ctx.meeting_id is not None:
        index_quietly(ctx.db, ctx.blobs, ctx.settings, ctx.meeting_id)


def _announce_transcript(ctx: JobContext) -> None:
    from greffier.app.delivery import announce_transcript

    announce_transcript(ctx.db, ctx.settings, ctx.meeting_id, ctx.job_id)


@task(CallJob, queue="llm")
def call(ctx: JobContext, job: CallJob) -> None:
    """The emergency-call case form of a transcript version (rules, then the LLM if asked), stored as call.json."""
    from greffier.app.case_form import fill_form
    from greffier.calls.record import CASE_FILE, case_record

    transcript = ctx.transcript(job.version)
    filled = fill_form(
        transcript,
        ctx.settings,
        regulator=job.regulator,
        call_id=str(ctx.meeting_id),
        llm=job.llm,
        progress=ctx.progress,
    )
    ctx.blobs.put_bytes(
        ctx.blob_key(CASE_FILE),
        case_record(filled.form, source="job", transcript_version=job.version, notes=filled.notes),
    )
    ctx.progress("call", 1.0)
    _announce(ctx, "call.completed")


def _announce(ctx: JobContext, event: str) -> None:
    """Owe this job's result to the meeting's destinations (`deliver` jobs)."""
    from greffier.app.delivery import announce

    announce(ctx.db, ctx.settings, ctx.meeting_id, event, ctx.job_id.hex)


@task(MinutesJob, queue="llm")
def minutes(ctx: JobContext, job: MinutesJob) -> None:
    """Transcript version `job.version` -> minutes as JSON, Markdown and Word blobs of the meeting."""
    from greffier.assist import render
    from greffier.assist.minutes import write_minutes

    key = {
        fmt: assistant.minutes_key(ctx.organisation_id, ctx.meeting_id, ctx.job_id, fmt)
        for fmt in render.FORMATS
    }
    if ctx.blobs.exists(key["json"]):
        return _announce(ctx, "minutes.ready")  # an earlier attempt stored them
    transcript = ctx.transcript(job.version)
    ctx.stage_weights = {"minutes: reading": 0.8, "minutes: commitments": 0.1, "minutes: merging": 0.1}
    written = write_minutes(transcript, settings=ctx.settings, progress=ctx.progress)
    files = {}
    for fmt in ("md", "docx", "json"):  # the JSON last: once it is there, the three are
        content = render.render(written, fmt)
        files[key[fmt]] = content.encode() if isinstance(content, str) else content
    ctx.store_files(files)
    _index(ctx)
    _announce(ctx, "minutes.ready")


@task(AskJob, queue="llm")
def ask(ctx: JobContext, job: AskJob) -> None:
    """`job.question` about transcript version `job.version` -> the answer (JSON blob)."""
    from greffier.assist.qa import ask as answer

    key = assistant.answer_key(ctx.organisation_id, ctx.meeting_id, ctx.job_id)
    if ctx.blobs.exists(key):
        return
    transcript = ctx.transcript(job.version)
    ctx.progress("answer", 0.0)
    found = answer(transcript, job.question, settings=ctx.settings)
    ctx.store_files({key: json.dumps(found.to_dict(), ensure_ascii=False).encode()})


@task(AskAllJob, queue="llm")
def ask_all(ctx: JobContext, job: AskAllJob) -> None:
    """`job.question` across the organisation's meetings -> the answer (JSON blob of the organisation)."""
    from greffier.app.questions import answer_all

    key = assistant.organisation_answer_key(ctx.organisation_id, ctx.job_id)
    if ctx.blobs.exists(key):
        return
    ctx.progress("answer", 0.0)
    found = answer_all(ctx.db, ctx.settings, ctx.organisation_id, job)
    ctx.store_files({key: json.dumps(found.to_dict(), ensure_ascii=False).encode()})


@task(DatasetExportJob, queue="llm")
def dataset_export(ctx: JobContext, job: DatasetExportJob) -> None:
    """Licensed, consented, pseudonymised meetings of the organisation as a zip in the blob store."""
    from greffier.app.dataset_export import write_archive

    if not write_archive(ctx.db, ctx.blobs, ctx.settings, ctx.organisation_id, job.export, ctx.progress):
        raise JobGone(f"dataset export {job.export} was deleted")


@task(DeliverJob, queue="deliver")
def deliver(ctx: JobContext, job: DeliverJob) -> None:
    """Send one delivery (`job.delivery_id`) to its destination, retried on transient errors."""
    from greffier.delivery.send import run

    run(ctx.db, ctx.blobs, ctx.settings, job.delivery_id)
