"""The `greffier` command. Each sub-module registers its commands on `app`."""

from __future__ import annotations

import sys

import typer

from greffier.cli.app import app, console_error
from greffier.errors import GreffierError

# Command modules register themselves on import.
from greffier.cli import models_cmd  # noqa: E402,F401  isort: skip

__all__ = ["app", "main"]


def main() -> None:
    debug = "--debug" in sys.argv
    if debug:
        sys.argv.remove("--debug")
    try:
        app(standalone_mode=False)
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
    except Exception as exc:  # click usage errors and the rest
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(2)
        raise
