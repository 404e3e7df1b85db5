"""`greffier search QUERY --org NAME` and `greffier admin search reindex`: search across the meetings
of the service's database (as `greffier dataset … --from-service` reads it), and rebuild its index."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import typer
from rich.markup import escape

from greffier.assist.render import clock
from greffier.cli.app import app, console
from greffier.cli.delivery_cmd import _organisation_id
from greffier.cli.service_cmd import _db, _settings, admin
from greffier.errors import OptionsError
from greffier.search.query import Hit, Mode

search_admin = typer.Typer(help="The search index across meetings (docs/search.md).")
admin.add_typer(search_admin, name="search", no_args_is_help=True)


def _date(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise OptionsError(
            f"{option} {value!r} is not a date", f"give an ISO 8601 date, e.g. {option} 2026-01-31"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _hit_line(hit: Hit) -> str:
    """Rich markup: the meeting, where in it, and the snippet with its matched words highlighted."""
    when = "" if hit.kind == "title" else f" {clock(hit.start)}–{clock(hit.end)}"
    who = f" {', '.join(hit.speakers)}" if hit.speakers else ""
    head = escape(f"{hit.meeting_title} ({hit.kind}{when}{who})")
    return f"[bold]{head}[/] {hit.link}\n  {hit.snippet.marked('[reverse]', '[/]', escape)}"


@app.command("search")
def search_command(
    query: str = typer.Argument(..., help="Words or a question, in any language."),
    org: str = typer.Option(..., "--org", help="The organisation (greffier admin create-org)."),
    created_from: str | None = typer.Option(None, "--from", help="Meetings created at or after (ISO 8601)."),
    created_to: str | None = typer.Option(None, "--to", help="Meetings created before (ISO 8601)."),
    speaker: str | None = typer.Option(None, "--speaker", help="A speaker's id or name."),
    meeting: uuid.UUID | None = typer.Option(None, "--meeting", help="Only this meeting (its id)."),
    mode: Mode = typer.Option(Mode.BOTH, "--mode", help="both (merged), words or meaning."),
    limit: int = typer.Option(10, "--limit", min=1, max=50, help="How many hits."),
    as_json: bool = typer.Option(False, "--json", help="Print the hits as JSON."),
) -> None:
    """Find passages across the organisation's meetings in the service's database."""
    from greffier.app.search import search_meetings

    db = _db()
    try:
        page = search_meetings(
            db,
            _settings(),
            _organisation_id(db, org),
            query,
            created_from=_date(created_from, "--from"),
            created_to=_date(created_to, "--to"),
            speaker=speaker,
            meeting_id=meeting,
            mode=mode,
            limit=limit,
        )
    finally:
        db.dispose()
    if as_json:
        from greffier.api.search_schemas import SearchHitOut

        items = [SearchHitOut.build(h).model_dump(mode="json") for h in page.hits]
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    if not page.hits:
        console.print("no passage found")
    for hit in page.hits:
        console.print(_hit_line(hit), soft_wrap=True)


@search_admin.command("reindex")
def reindex_command(
    org: str | None = typer.Option(None, "--org", help="Only this organisation's meetings [default: all]."),
) -> None:
    """Index every meeting again (after an upgrade, or if an indexing failed: see the service's log)."""
    from greffier.search.indexer import reindex
    from greffier.store.blobs import BlobStore

    settings = _settings()
    db = _db()
    try:
        done = reindex(
            db, BlobStore(settings.blobs_dir), settings, _organisation_id(db, org) if org else None
        )
    finally:
        db.dispose()
    passages = sum(d.passages for d in done)
    seconds = sum(d.seconds for d in done)
    console.print(f"indexed {len(done)} meeting(s): {passages} passages in {seconds:.1f} s")
