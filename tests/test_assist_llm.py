"""Minutes and questions with the real packaged model on a real French call, the OpenAI-compatible path
against a real `python -m llama_cpp.server`, and what happens without a model or with a bad file.

The call is Simsamu `dj_mai_sdf_coma` (83 s, 193 words): a passer-by calls about an unconscious
homeless man; the doctor sends the fire brigade.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from docx import Document

from bench._assist_data import simsamu_transcript
from greffier.assist.grounding import normalize
from greffier.assist.minutes import write_minutes
from greffier.assist.qa import ask, not_said
from greffier.assist.render import save
from greffier.assist.types import Minutes
from greffier.config import get_settings
from greffier.models import ensure_model_file
from tests.conftest import run_cli

CALL = "dj_mai_sdf_coma"
SERVER_PORT = 18311
FRENCH = {"le", "la", "les", "de", "du", "des", "un", "une", "est", "et", "il", "pour", "dans", "au"}
# Only words that are not French too: "a" is French ("il a", "jusqu'à" once accents are folded).
ENGLISH = {"the", "of", "and", "is", "to", "in", "for", "with", "was", "that", "this", "are", "they"}


@pytest.fixture(scope="module")
def call():
    return simsamu_transcript(CALL)


@pytest.fixture(scope="module")
def call_file(call, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("call") / f"{CALL}.json"
    call.save(path)
    return path


@pytest.fixture(scope="module")
def minutes(call) -> Minutes:
    return write_minutes(call)


def _claims(m: Minutes):
    return [*m.decisions, *m.action_items, *m.open_questions]


def test_minutes_have_the_structure_and_the_language_of_the_call(minutes, call):
    assert minutes.llm and minutes.llm.startswith("llama.cpp/")
    assert minutes.language == "fr" and minutes.title and minutes.summary
    words = normalize(minutes.summary).split()
    assert sum(w in FRENCH for w in words) > 3 * max(1, sum(w in ENGLISH for w in words))
    assert minutes.topics, "no topic"
    assert all(0 <= t.start <= t.end <= call.duration for t in minutes.topics)
    g = minutes.grounding
    assert g.proposed == g.kept + g.dropped and g.kept == len(_claims(minutes))
    assert minutes.metadata["action_items_from"] == "focused pass"  # French: the candidate rule's language


def test_every_claim_points_into_the_transcript(minutes, call):
    by_id = {s.id: s for s in call.segments}
    for claim in _claims(minutes):
        assert claim.spans
        for span in claim.spans:
            segments = [by_id[i] for i in span.segment_ids]
            assert (span.start, span.end) == (segments[0].start, segments[-1].end)
            assert set(span.speakers) <= {s.speaker for s in segments}
        assert normalize(claim.quote) in normalize(
            " ".join(by_id[i].text for s in claim.spans for i in s.segment_ids)
        )


def test_the_summary_names_the_reason_for_the_call(minutes):
    # measured: ... of ... Simsamu calls name their reason (python -m bench assist)
    assert any(w in normalize(f"{minutes.title} {minutes.summary}") for w in ("sdf", "coma", "inconscient"))


def test_minutes_render_as_markdown_word_and_json(minutes, tmp_path):
    md, docx, js = save(minutes, ["md", "docx", "json"], tmp_path, CALL)
    text = md.read_text(encoding="utf-8")
    assert text.startswith(f"# {minutes.title}") and "## Résumé" in text and "## Actions" in text
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    assert paragraphs[0] == minutes.title and "Décisions" in paragraphs
    assert Minutes.from_dict(json.loads(js.read_text(encoding="utf-8"))) == minutes


def test_ask_answers_from_the_call_or_says_it_was_not_said(call):
    answer = ask(call, "Qui va-t-on envoyer ?")
    assert answer.found, answer
    assert "pompier" in normalize(answer.answer)
    assert answer.spans and 12 in answer.spans[0].segment_ids  # "on va envoyer les pompiers"
    missing = ask(call, "Quel est le numéro de téléphone de la personne qui appelle ?")
    assert not missing.found and missing.answer == not_said("fr")


def _free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """A real llama.cpp OpenAI-compatible server on the packaged GGUF."""
    assert _free(SERVER_PORT), f"port {SERVER_PORT} is taken"
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    command = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(ensure_model_file("qwen2.5-coder-1.5b-instruct")),
        "--host",
        "127.0.0.1",
        "--port",
        str(SERVER_PORT),
        "--n_ctx",
        "4096",
        "--n_threads",
        str(get_settings().threads),
        "--model_alias",
        "greffier-test",
    ]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{SERVER_PORT}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, f"llama_cpp.server exited: see {log.name}"
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "llama_cpp.server did not start in 180 s"
            time.sleep(1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_ask_through_an_openai_compatible_server(llama_server, call_file):
    result = run_cli(
        "ask",
        str(call_file),
        "Qui va-t-on envoyer ?",
        "--json",
        env={"GREFFIER_LLM_URL": llama_server, "GREFFIER_LLM_MODEL": "greffier-test"},
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["llm"] == f"greffier-test@{llama_server}"
    assert answer["found"] and "pompier" in normalize(answer["answer"])
    assert answer["spans"] and answer["spans"][0]["speakers"] == ["medecin"]


def test_without_a_reachable_model_minutes_are_key_passages(call_file, tmp_path):
    result = run_cli(
        "minutes",
        str(call_file),
        "--output-dir",
        str(tmp_path),
        "--output-format",
        "md,json",
        env={"GREFFIER_LLM_URL": "http://127.0.0.1:18399/v1", "GREFFIER_LLM_RETRIES": "2"},
    )
    assert result.returncode == 0, result.stderr
    assert "did not answer after 2 tries" in result.stderr and "GREFFIER_LLM_URL" in result.stderr
    md = (tmp_path / f"{CALL}.minutes.md").read_text(encoding="utf-8")
    assert "## Passages clés" in md
    data = json.loads((tmp_path / f"{CALL}.minutes.json").read_text(encoding="utf-8"))
    assert data["llm"] is None and len(data["key_passages"]) >= 3
    assert all(p["span"]["segment_ids"] for p in data["key_passages"])


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "not a JSON file"), ('{"language": "fr", "segments": "x"}', "invalid transcript JSON")],
)
def test_a_bad_transcript_file_exits_2_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    for args in (("minutes", str(path)), ("ask", str(path), "Qui ?")):
        result = run_cli(*args, "--no-llm")
        assert result.returncode == 2
        assert message in result.stderr and "greffier transcribe" in result.stderr
