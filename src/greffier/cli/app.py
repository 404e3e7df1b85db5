"""The Typer application object and the shared console helpers."""

from __future__ import annotations

import typer
from rich.console import Console

from greffier.errors import OptionsError

app = typer.Typer(
    name="greffier",
    help="Offline transcription, speakers and minutes for meetings and calls. Add --debug for tracebacks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def console_error(message: str) -> None:
    err_console.print(f"[bold red]greffier: error:[/] {message}", soft_wrap=True)


def parse_language(value: str) -> str | None:
    """A --language value: an ISO code, or None for auto (detect)."""
    value = value.strip().lower()
    if value == "auto":
        return None
    if not value.isalpha() or len(value) not in (2, 3):
        raise OptionsError(
            f"--language {value!r} is not a language code", "use an ISO code such as fr or en, or auto"
        )
    return value
