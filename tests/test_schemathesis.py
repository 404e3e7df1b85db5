"""Schemathesis against `greffier serve`: every check, every phase (stateful: links inferred from the
responses), a fixed seed and a fixed number of examples per operation (about a minute on two cores;
the subprocess is killed past `LIMIT_S`): no 5xx, and every response as the schema says. The statuses
accepted by design, each with its reason, are in tests/schemathesis.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, eval_file
from servers import Service, seed_account, service_env, upload, wait_job

SHORT = "sppas-samples/samples/samples-fra/AC track_0379.wav"
EXAMPLES = 25
LIMIT_S = 240


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    token = seed_account(tmp_path, "acme", "ana@acme.example", "correct horse battery")
    service = Service(service_env(tmp_path, max_upload_mb=1, llm_backend="none"), tmp_path / "serve.log")
    service.start()
    try:
        with service.client(token) as client:  # a transcribed meeting, for the links to reach
            meeting = upload(client, eval_file(SHORT), language="fr")
            assert wait_job(client, meeting["job"]["id"])["state"] == "succeeded"
        done = subprocess.run(
            [
                *(sys.executable, "-m", "schemathesis.cli"),
                *("--config-file", str(ROOT / "tests" / "schemathesis.toml"), "--no-color"),
                *("run", f"{service.url}/openapi.json"),
                *("--checks", "all", "--phases", "examples,coverage,fuzzing,stateful"),
                *("--seed", "20", "--max-examples", str(EXAMPLES)),
                *("--workers", "1", "--request-timeout", "60"),
                *("--header", f"Authorization: Bearer {token}"),
            ],
            capture_output=True,
            text=True,
            timeout=LIMIT_S,
            cwd=tmp_path,  # its cache folder, .schemathesis/
        )
    finally:
        service.stop()
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-5_000:]
    assert "Traceback" not in service.output(), "a request failed inside the server"
