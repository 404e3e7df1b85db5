"""The `greffier` command. Each sub-module registers its commands on `app`."""

from __future__ import annotations

import sys

import click
import typer

from greffier.cli.app import app, console_error
from greffier.errors import GreffierError

# Command modules register themselves on import.
from greffier.cli import assist_cmd, call_cmd, dataset_cmd, delivery_cmd, hub_cmd, live_cmd, models_cmd, people_cmd, search_cmd, service_cmd, speakers_cmd, transcribe_cmd  # noqa: F401  isort: skip  # fmt: skip

__all__ = ["app", "main"]


def main() -> None:
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    try:
        code = app(standalone_mode=False)
    except GreffierError as exc:
        if debug:
            raise
        console_error(str(exc))
        sys.exit(2)
    except typer.Abort:
        console_error("aborted")
        sys.exit(130)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", None)
        sys.exit(code if code is not None else getattr(exc, "code", 0))
    except click.ClickException as exc:  # usage errors: bad option, missing argument
        exc.show()
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
