"""`greffier serve`, `greffier worker` and `greffier admin …`: the service side."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import typer

from greffier.cli.app import app, console
from greffier.config import Settings
from greffier.errors import GreffierError, OptionsError

admin = typer.Typer(help="Organisations, users, API tokens, and the OpenAPI schema.", no_args_is_help=True)
app.add_typer(admin, name="admin")


def _settings(**overrides: Any) -> Settings:
    return Settings(**{key: value for key, value in overrides.items() if value is not None})


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.command("serve")
def serve_command(
    host: str = typer.Option(None, help="Address to listen on [default: settings.host, 127.0.0.1]."),
    port: int = typer.Option(None, help="Port [default: settings.port, 8000]."),
    workers: int = typer.Option(
        None, help="Job threads in this process (embedded mode; 0 = none) [default: 1]."
    ),
) -> None:
    """Run the API (and, without GREFFIER_BROKER_URL, the jobs too: nothing else to install)."""
    import uvicorn

    from greffier.api.app import create_app

    settings = _settings(host=host, port=port, workers=workers)
    _logging()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        timeout_graceful_shutdown=5,
    )


@app.command("worker")
def worker_command(
    queues: str = typer.Option("asr,diarize,llm,deliver", help="Comma-separated queues to take jobs from."),
    concurrency: int = typer.Option(1, min=1, help="Jobs run at once by this worker (one process each)."),
) -> None:
    """Run a Celery worker for scaled mode (needs GREFFIER_BROKER_URL and a shared database and blob folder)."""
    from greffier.jobs.celery_app import configure
    from greffier.jobs.registry import QUEUES
    from greffier.store.db import Database

    settings = _settings()
    if not settings.broker_url:
        raise GreffierError(
            "greffier worker needs a broker",
            "set GREFFIER_BROKER_URL=redis://host:6379/0 (and GREFFIER_DATABASE_URL), or run "
            "`greffier serve` alone: without a broker it runs the jobs itself",
        )
    names = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if unknown or not names:
        raise OptionsError(
            f"unknown queue(s): {', '.join(unknown) or '(none given)'}", f"choose among {', '.join(QUEUES)}"
        )
    db = Database.from_settings(settings)
    db.migrate()
    db.dispose()
    _logging()
    configure(settings).worker_main(
        [
            "worker",
            "--queues",
            ",".join(names),
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"greffier-{os.getpid()}@%h",
        ]
    )


def _db():
    from greffier.store.db import Database

    db = Database.from_settings(_settings())
    db.migrate()
    return db


@admin.command("create-org")
def create_org_command(name: str = typer.Argument(..., help="The organisation's name (unique).")) -> None:
    """Create an organisation: it owns users and meetings, and sees nobody else's."""
    from greffier.store.accounts import create_organisation

    organisation = create_organisation(_db(), name)
    console.print(f"organisation {organisation.name!r} created: {organisation.id}")


@admin.command("create-user")
def create_user_command(
    email: str = typer.Argument(..., help="The user's e-mail (unique)."),
    org: str = typer.Option(..., "--org", help="The organisation's name."),
    name: str = typer.Option(None, help="Display name."),
    role: str = typer.Option(
        None, help="admin or member [default: admin for the organisation's first user, else member]."
    ),
) -> None:
    """Create a user in an organisation (its first user is its admin)."""
    from greffier.store.accounts import create_user

    user = create_user(_db(), email, org, name, role)
    console.print(f"user {user.email!r} created ({user.role}): {user.id}")


@admin.command("set-role")
def set_role_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    role: str = typer.Argument(..., help="admin (manages the destinations) or member."),
) -> None:
    """Make a user an admin of their organisation, or a member again."""
    from greffier.store.accounts import set_role

    set_role(_db(), email, role)
    console.print(f"{email!r} is now {role}")


@admin.command("create-token")
def create_token_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    name: str = typer.Option("default", help="A label to recognise the token by."),
) -> None:
    """Create an API token for a user and print it (only this once: it is stored hashed)."""
    from greffier.store.accounts import create_token

    print(create_token(_db(), email, name))


@admin.command("set-password")
def set_password_command(
    email: str = typer.Argument(..., help="The user's e-mail."),
    stdin: bool = typer.Option(False, "--stdin", help="Read the password from standard input (scripts)."),
) -> None:
    """Set the password a user signs in to the web app with (asked twice, never shown)."""
    import sys

    from greffier.store.accounts import set_password

    if stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    set_password(_db(), email, password)
    console.print(f"password of {email!r} set")


@admin.command("openapi")
def openapi_command(
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Print the OpenAPI schema (docs/openapi.json is this output)."""
    from greffier.api.app import create_app

    text = json.dumps(create_app(_settings()).openapi(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")
