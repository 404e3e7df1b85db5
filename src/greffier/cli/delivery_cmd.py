"""`greffier admin destination add|list|remove` and `greffier admin delivery-key`: where an
organisation's meetings are delivered (Matrix, WebDAV, e-mail, webhooks)."""

from __future__ import annotations

import json
import sys
import uuid

import typer
from sqlalchemy import select

from greffier.cli.app import console, err_console
from greffier.cli.service_cmd import _db, _settings, admin
from greffier.errors import OptionsError

destination = typer.Typer(
    help="Where meetings are delivered: Matrix rooms, WebDAV folders, e-mail, webhooks."
)
admin.add_typer(destination, name="destination", no_args_is_help=True)
delivery = typer.Typer(help="The key sealing destinations' secrets.")
admin.add_typer(delivery, name="delivery", no_args_is_help=True)
_ORG = typer.Option(..., "--org", help="The organisation's name.")


def _organisation_id(db, org: str) -> uuid.UUID:
    from greffier.store.models import Organisation

    with db.read() as session:
        found = session.scalar(select(Organisation.id).where(Organisation.name == org))
    if found is None:
        raise OptionsError(
            f"no organisation named {org!r}", f"create it first: greffier admin create-org {org}"
        )
    return found


def _config(values: list[str]) -> dict[str, object]:
    """key=value pairs; a value in JSON (a list, a number, true) is read as JSON."""
    config: dict[str, object] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise OptionsError(f"--set {item!r} is not key=value", "e.g. --set room='#minutes:example.org'")
        try:
            config[key] = json.loads(value)
        except json.JSONDecodeError:
            config[key] = value
    return config


@destination.command("add")
def add_command(
    name: str = typer.Argument(..., help="A name for it, unique in the organisation."),
    kind: str = typer.Option(..., "--kind", help="matrix, webdav, email or webhook."),
    org: str = _ORG,
    settings: list[str] = typer.Option(
        [],
        "--set",
        help="key=value, repeated: matrix homeserver, room, user; webdav url, username; email host, port, "
        "sender, recipients (a JSON list), username, ca_file; webhook url; any: events (a JSON list).",
    ),
    secret_stdin: bool = typer.Option(
        False, "--secret-stdin", help="Read the secret (token, password, signing key) from standard input."
    ),
    default: bool = typer.Option(False, "--default", help="Deliver every meeting here unless it chooses."),
    health_data: bool = typer.Option(
        False, "--health-data", help="May receive meetings holding health data."
    ),
) -> None:
    """Add a destination; its secret is stored encrypted (GREFFIER_DELIVERY_KEY)."""
    from greffier.app.destinations import NewDestination, add_destination

    db = _db()
    secret = sys.stdin.readline().rstrip("\n") if secret_stdin else None
    new = NewDestination(name, kind, _config(settings), secret or None, default, health_data)
    added = add_destination(db, _settings(), _organisation_id(db, org), new)
    console.print(f"destination {added.name!r} ({added.kind}) added: {added.id}")


@destination.command("list")
def list_command(org: str = _ORG) -> None:
    """The organisation's destinations (secrets are never shown)."""
    from greffier.app.destinations import list_destinations

    db = _db()
    for found in list_destinations(db, _organisation_id(db, org)):
        marks = [m for m, on in (("default", found.is_default), ("health data", found.health_data)) if on]
        print(
            f"{found.name}\t{found.kind}\t{json.dumps(found.config, ensure_ascii=False)}\t{', '.join(marks)}"
        )


@destination.command("remove")
def remove_command(name: str = typer.Argument(..., help="Its name or id."), org: str = _ORG) -> None:
    """Remove a destination (what it received stays there)."""
    from greffier.app.destinations import remove_destination

    db = _db()
    if not remove_destination(db, _organisation_id(db, org), name):
        raise OptionsError(
            f"no destination {name!r} in {org!r}", f"list them: greffier admin destination list --org {org}"
        )
    console.print(f"destination {name!r} removed")


@admin.command("delivery-key")
def delivery_key_command() -> None:
    """Print a new key for GREFFIER_DELIVERY_KEY (encrypts destinations' secrets; keep it safe)."""
    from greffier.delivery.secrets import new_key

    print(new_key())


@delivery.command("rotate-key")
def rotate_key_command(
    new_key_stdin: bool = typer.Option(
        False, "--new-key-stdin", help="Read the new key from standard input [default: make one]."
    ),
) -> None:
    """Seal every destination's secret with a new key (opened with GREFFIER_DELIVERY_KEY); prints the
    new key, which GREFFIER_DELIVERY_KEY must then be set to."""
    from greffier.app.delivery_secrets import rotate_key
    from greffier.delivery.secrets import new_key

    key = sys.stdin.readline().strip() if new_key_stdin else new_key()
    count = rotate_key(_db(), _settings(), key)
    if not new_key_stdin:
        print(key)
    err_console.print(f"{count} secret(s) sealed with the new key: set GREFFIER_DELIVERY_KEY to it now")
