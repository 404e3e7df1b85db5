"""`greffier hub relay`: send the SAMU-Hub outbox to the hub and read its answers, until stopped
(`greffier serve` runs the same loop in a thread of its own when SAMU-Hub is configured)."""

from __future__ import annotations

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
    from greffier.hub.loop import RelayLoop, said
    from greffier.hub.relay import Delivery
    from greffier.store.db import Database

    def show(done: Delivery) -> None:
        lines, failed = said(done)
        for line in lines:
            console.print(line)
        if failed:
            console.print(f"[yellow]{failed}[/]")

    settings = get_settings()
    loop = RelayLoop(Database.from_settings(settings), HubConnection.of(settings), interval, show)
    if once:
        loop.run_once()
    else:
        loop.run()
