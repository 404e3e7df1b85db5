"""`greffier call FILE [--json] [--live [--realtime]]`: the emergency-call case form of a transcript or a
recording; with `--live`, the recording is streamed through the live call path (as `/ws/call` does)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import typer

from greffier.app.case_form import fill_form
from greffier.calls.form import change_dict
from greffier.calls.simsamu import is_simsamu, load_simsamu
from greffier.calls.values import Change
from greffier.cli.app import app
from greffier.cli.call_print import print_form
from greffier.config import get_settings
from greffier.errors import GreffierError, OptionsError
from greffier.transcript import InvalidTranscript, Segment, Transcript


def _load(path: Path, language: str) -> Transcript:
    if not path.exists():
        raise GreffierError(f"{path}: no such file", "give a transcript JSON or a recording of the call")
    if path.suffix.lower() != ".json":
        from greffier.pipeline import TranscribeOptions, transcribe_file

        return transcribe_file(path, TranscribeOptions(language=language, diarize=True))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return load_simsamu(path) if is_simsamu(data) else Transcript.from_dict(data)
    except (ValueError, InvalidTranscript) as exc:
        raise GreffierError(
            f"{path}: not a transcript JSON ({exc})",
            "give the JSON written by `greffier transcribe -f json`, or a recording",
        ) from exc


@app.command("call")
def call_command(
    file: Path = typer.Argument(
        ..., help="Transcript JSON (greffier or Simsamu), or a recording of the call."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON message per line as the form changes; the last is the complete form."
    ),
    regulator: str | None = typer.Option(None, help="Speaker id of the regulator (guessed when not given)."),
    language: str = typer.Option("fr", help="Language of a recording."),
    live: bool = typer.Option(
        False, "--live", help="Stream the recording through the live path: the form fills in as it is heard."
    ),
    realtime: bool = typer.Option(False, "--realtime", help="With --live: send the audio at its real pace."),
    llm: bool = typer.Option(
        False, "--llm", help="With --live: also ask the LLM (in the background) for what the rules miss."
    ),
    export: str | None = typer.Option(
        None,
        "--export",
        help="rs-eda: print the case as the SAMU-Hub message (EDXL-DE envelope, RS-EDA; "
        "with --live, then its RS-EDA-MAJ updates, one per line).",
    ),
) -> None:
    """Fill the SAMU case form from a call, with the transcript evidence of every field."""
    if export not in (None, "rs-eda"):
        raise OptionsError(f"--export {export}: unknown format", "use --export rs-eda")
    if live or realtime or llm:
        from greffier.cli.call_live import live_call

        live_call(
            file,
            as_json=as_json,
            realtime=realtime,
            regulator=regulator,
            language=language,
            llm=llm,
            rs_eda=export is not None,
        )
        return
    transcript = _load(file, language)

    def emit_changes(segment: Segment, changes: list[Change]) -> None:
        _emit(
            {
                "type": "update",
                "segment_id": segment.id,
                "time": segment.end,
                "changes": [change_dict(c) for c in changes],
            }
        )

    form = fill_form(
        transcript,
        get_settings(),
        regulator=regulator,
        call_id=transcript.metadata.get("call") or file.stem,
        on_change=emit_changes if as_json else None,
    ).form
    if export:
        from greffier.calls.share import report

        _emit(report(form, get_settings(), datetime.now().astimezone()))
    elif as_json:
        _emit({"type": "form", "form": form.to_dict(), "export": form.to_export().model_dump(mode="json")})
    else:
        print_form(form)


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
    sys.stdout.flush()
