"""`greffier hub relay`: send the SAMU-Hub outbox to the hub and read its answers, until stopped."""

from __future__ import annotations

import time

import typer

from greffier.cli.app import app, console
from greffier.config import get_settings

hub_app = typer.Typer(help="SAMU-Hub: the outbox of the cases shared with the regulation software.")
app.add_typer(hub_app, name="hub")


@hub_app.command("relay")
def relay_command(
    once: bool = typer.Option(False, "--once", help="One pass, then exit (for cron or a test)."),
    interval: float = typer.Option(2.0, min=0.1, help="Seconds between passes."),
) -> None:
    """Publish the queued messages (TLS, client certificate) and record the acknowledgements and refusals."""
    from greffier.hub.client import HubConnection
    from greffier.hub.relay import deliver
    from greffier.store.db import Database

    settings = get_settings()
    hub = HubConnection.of(settings)
    db = Database.from_settings(settings)
    while True:
        done = deliver(db, hub)
        for what, ids in (
            ("sent", done.sent),
            ("acknowledged", done.acknowledged),
            ("refused", done.refused),
        ):
            for distribution_id in ids:
                console.print(f"{what}: {distribution_id}")
        if done.error:
            console.print(f"[yellow]{done.error}: the messages wait, tried again with back-off[/]")
        if once:
            return
        time.sleep(interval)
