"""`greffier call FILE --live`: a recording streamed through the live call path, the form filling in.

The frames go through `run_stream` and `LiveCall` exactly as a `/ws/call` client's would; `--json`
prints each message as the WebSocket sends it (partial, final, form, error, end).
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from greffier.calls.form import CaseForm
from greffier.calls.live import LiveCall
from greffier.calls.place import configured_base
from greffier.calls.share import LiveShare
from greffier.cli.app import console, parse_language
from greffier.cli.call_print import print_form
from greffier.cli.live_io import LivePrinter, file_frames
from greffier.config import get_settings
from greffier.errors import OptionsError
from greffier.live.protocol import END_REQUEST


def live_call(
    file: Path,
    *,
    as_json: bool,
    realtime: bool,
    regulator: str | None,
    language: str,
    llm: bool,
    rs_eda: bool = False,
) -> None:
    if not file.is_file():
        raise OptionsError(f"{file}: no such file", "give a recording of the call (any audio format)")
    if file.suffix.lower() == ".json":
        raise OptionsError(
            f"{file}: --live streams a recording, not a transcript",
            f"give the call's audio, or leave out --live: greffier call {file}",
        )
    settings = get_settings()
    complete = None
    if llm:
        from greffier.assist.llm import load_llm

        complete = load_llm(settings).complete_json
    call = LiveCall(
        call_id=file.stem,
        regulator=regulator,
        complete=complete,
        address_base=configured_base(settings.address_base),
    )
    printer = (
        _SharePrinter(LiveShare(settings, datetime.now().astimezone())) if rs_eda else _CallPrinter(as_json)
    )
    asyncio.run(_stream(settings, file, realtime, parse_language(language), call, printer))
    if not as_json and not rs_eda:
        print_form(call.form)


async def _stream(
    settings, file: Path, realtime: bool, language: str | None, call: LiveCall, printer
) -> None:
    from greffier.live.session import LiveHub, run_stream

    frames = file_frames(file, realtime)

    async def receive() -> bytes | str:
        return await anext(frames, END_REQUEST)

    hub = LiveHub(settings)
    async with hub.stream(hub.options(language=language, adaptive=realtime)) as stream:
        await run_stream(stream, receive, call.relay(printer), call.saver(None))


class _SharePrinter:
    """Only the SAMU-Hub messages: the RS-EDA report, then its RS-EDA-MAJ updates, one JSON per line."""

    def __init__(self, share: LiveShare) -> None:
        self.share = share

    async def __call__(self, text: str) -> None:
        message = json.loads(text)
        if message["type"] == "error":
            print(text, file=sys.stderr, flush=True)
        elif message["type"] == "form":
            form = CaseForm.from_dict(message["form"])
            for envelope in self.share.messages(form, datetime.now().astimezone(), message["complete"]):
                print(json.dumps(envelope, ensure_ascii=False), flush=True)


class _CallPrinter(LivePrinter):
    """The live lines, and under each final the fields it filled; the whole form at the end."""

    async def __call__(self, text: str) -> None:
        message = json.loads(text)
        if message["type"] not in ("form", "flag"):
            await super().__call__(text)
            return
        if self.as_json:
            print(text, flush=True)
            return
        if message["type"] == "flag":
            console.print(
                f"  [red]⚠ entendu : {message['label']} « {message['quote']} » (phrase en cours)[/]"
            )
            return
        if message["complete"]:
            return  # the table of the whole form follows the end
        for change in message["changes"]:
            if change["key"] == "red_flags" and change["action"] == "added":
                console.print(f"  [bold red]⚠ SIGNE DE GRAVITÉ : {change['label']}[/]")
            elif change["action"] in ("set", "replaced", "added", "suggested"):
                quote = change["evidence"][0]["quote"] if change["evidence"] else ""
                was = f" (était {change['previous']})" if change["previous"] is not None else ""
                console.print(
                    f"  [cyan]↳ {change['key']} : {change['label']}{was}[/]"
                    + (f" « {quote} »" if quote else "")
                )
