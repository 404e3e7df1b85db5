"""`greffier minutes` and `greffier ask`: minutes of a transcript, and questions about it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from greffier.assist.across import AcrossAnswer
from greffier.assist.minutes import write_minutes
from greffier.assist.qa import ask
from greffier.assist.render import FORMATS, save, where
from greffier.assist.types import Answer, speaker_names
from greffier.cli.app import app, console, err_console
from greffier.config import get_settings
from greffier.errors import GreffierError, OptionsError
from greffier.transcript import InvalidTranscript, Transcript


def load_transcript(path: Path) -> Transcript:
    try:
        return Transcript.load(path)
    except InvalidTranscript as exc:
        raise GreffierError(
            str(exc), "give a transcript JSON written by `greffier transcribe --output-format json`"
        ) from exc


def _settings(no_llm: bool):
    settings = get_settings()
    return settings.model_copy(update={"llm_backend": "none"}) if no_llm else settings


def _progress(stage: str, fraction: float) -> None:
    err_console.print(f"[dim]{stage} {fraction:.0%}[/]")


@app.command("minutes")
def minutes_command(
    transcript_path: Path = typer.Argument(..., metavar="TRANSCRIPT.json", help="A transcript JSON file."),
    language: str | None = typer.Option(
        None, "--language", "-l", help="Language of the minutes (default: the meeting's)."
    ),
    output_format: str = typer.Option(
        "md", "--output-format", "-f", help=f"Comma-separated: {','.join(FORMATS)}."
    ),
    output_dir: Path = typer.Option(Path("."), "--output-dir", "-o", help="Folder for the minutes files."),
    no_llm: bool = typer.Option(False, "--no-llm", help="Key passages only, without a language model."),
) -> None:
    """Minutes: summary, topics, decisions, action items, open questions, each with its source."""
    formats = [f.strip() for f in output_format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise OptionsError(
            f"unknown minutes format(s): {', '.join(unknown) or 'none given'}",
            f"use some of {', '.join(FORMATS)}",
        )
    transcript = load_transcript(transcript_path)
    minutes = write_minutes(transcript, settings=_settings(no_llm), language=language, progress=_progress)
    if minutes.notice:
        err_console.print(f"[yellow]note:[/] {minutes.notice}", soft_wrap=True)
    stem = transcript_path.name.removesuffix(".json")
    for path in save(minutes, formats, output_dir, stem):
        console.print(f"wrote {path}")
    g = minutes.grounding
    if g.proposed:
        console.print(
            f"grounding: kept {g.kept} of {g.proposed} proposed items"
            + (f" (dropped: {', '.join(f'{n} {r}' for r, n in g.reasons().items())})" if g.dropped else "")
        )


def _print_answer(answer: Answer, names: dict[str, str]) -> None:
    console.print(answer.answer, soft_wrap=True)
    if answer.found:
        console.print(f"[dim]source: {where(answer.spans, names)} — « {answer.quote} »[/]", soft_wrap=True)
    elif answer.notice:
        err_console.print(f"[yellow]note:[/] {answer.notice}", soft_wrap=True)
        for p in answer.passages:
            console.print(f"[dim]  [{where((p.span,), names)}] {p.text}[/]", soft_wrap=True)


def _print_across(answer: AcrossAnswer) -> None:
    console.print(answer.answer, soft_wrap=True)
    if answer.found:
        console.print(
            f"[dim]source: {answer.meeting_title} ({answer.meeting_id}) {where(answer.spans)} — "
            f"« {answer.quote} »[/]",
            soft_wrap=True,
        )
    elif answer.notice:
        err_console.print(f"[yellow]note:[/] {answer.notice}", soft_wrap=True)
        for p in answer.passages:
            console.print(f"[dim]  [{p.meeting_title} {where((p.span,))}] {p.text}[/]", soft_wrap=True)


def _ask_all(question: str, org: str | None, language: str | None, no_llm: bool) -> AcrossAnswer:
    """`question` across the meetings of organisation `org` in the service's database."""
    from greffier.app.questions import answer_all
    from greffier.cli.delivery_cmd import _organisation_id
    from greffier.cli.service_cmd import _db
    from greffier.jobs.models import AskAllJob

    if org is None:
        raise OptionsError(
            "--all needs --org NAME", 'e.g. greffier ask --all "Qui fait le budget ?" --org acme'
        )
    db = _db()
    try:
        return answer_all(
            db, _settings(no_llm), _organisation_id(db, org), AskAllJob(question=question), language=language
        )
    finally:
        db.dispose()


@app.command("ask")
def ask_command(
    first: str = typer.Argument(
        ...,
        metavar="[TRANSCRIPT.json] QUESTION",
        help="A transcript JSON file (not with --all), then the question.",
    ),
    second: str | None = typer.Argument(None, metavar="", show_default=False),
    across: bool = typer.Option(
        False, "--all", help="Ask across the organisation's meetings in the service's database (with --org)."
    ),
    org: str | None = typer.Option(
        None, "--org", help="With --all: the organisation (greffier admin create-org)."
    ),
    language: str | None = typer.Option(None, "--language", "-l", help="Language of the 'not said' reply."),
    as_json: bool = typer.Option(False, "--json", help="Print the answer, its spans and passages as JSON."),
    no_llm: bool = typer.Option(False, "--no-llm", help="Only show the passages closest to the question."),
) -> None:
    """Answer a question from a transcript (or, with --all, from all the organisation's meetings), with
    the passages it rests on, or say it was not said."""
    if across and second is not None:
        raise OptionsError(
            "--all asks across the service's meetings: give the question alone, no transcript file",
            f'e.g. greffier ask --all "{second}" --org NAME',
        )
    if not across and second is None:
        raise OptionsError(
            "give a transcript file and a question, or --all and a question",
            'e.g. greffier ask meeting.json "Qui fait le budget ?", or greffier ask --all "…" --org acme',
        )
    if not across and org is not None:
        raise OptionsError(
            "--org only goes with --all", "add --all to ask across the organisation's meetings"
        )
    question = first if across else str(second)
    if not question.strip():
        raise OptionsError(
            "the question is empty", 'ask e.g. greffier ask meeting.json "Qui fait le budget ?"'
        )
    if across:
        found = _ask_all(question, org, language, no_llm)
        if as_json:
            typer.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
        else:
            _print_across(found)
        return
    transcript = load_transcript(Path(first))
    answer = ask(transcript, question, settings=_settings(no_llm), language=language)
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer, speaker_names(transcript))
