"""`greffier transcribe` and `greffier models` as a user runs them, in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest
import srt
import webvtt

from greffier.models import ensure_model
from greffier.transcript import Transcript
from tests.conftest import ROOT, eval_file, run_cli

CLIP = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    result = run_cli("transcribe", str(eval_file(CLIP)), "-l", "fr", "-f", "all", "-o", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


def test_every_format_parses_with_an_independent_library(outputs: Path):
    stem = Path(CLIP).stem
    transcript = Transcript.load(outputs / f"{stem}.json")
    assert transcript.language == "fr" and "porte" in transcript.text
    n = len(transcript.segments)

    subtitles = list(srt.parse((outputs / f"{stem}.srt").read_text()))
    assert len(subtitles) == n
    assert subtitles[0].start.total_seconds() == pytest.approx(transcript.segments[0].start, abs=0.002)
    assert subtitles[-1].content == transcript.segments[-1].text

    captions = webvtt.read(str(outputs / f"{stem}.vtt"))
    assert len(captions) == n
    assert captions[0].text == transcript.segments[0].text

    rows = list(csv.DictReader(io.StringIO((outputs / f"{stem}.tsv").read_text()), delimiter="\t"))
    assert len(rows) == n and int(rows[0]["start"]) == round(1000 * transcript.segments[0].start)

    assert (outputs / f"{stem}.txt").read_text().splitlines() == [s.text for s in transcript.segments]
    markdown = (outputs / f"{stem}.md").read_text()
    assert markdown.startswith("# ") and transcript.segments[0].text in markdown
    paragraphs = [p.text for p in docx.Document(str(outputs / f"{stem}.docx")).paragraphs]
    assert any(transcript.segments[0].text in p for p in paragraphs)


def test_json_round_trips_through_the_data_model(outputs: Path):
    path = outputs / f"{Path(CLIP).stem}.json"
    data = json.loads(path.read_text())
    assert set(data) >= {"language", "duration", "segments", "speakers", "language_probability", "text"}
    assert Transcript.from_dict(data).to_dict() == data


def test_bad_inputs_fail_alone_and_clearly(tmp_path: Path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "minutes.mp3"
    text.write_text("not a recording")
    good = eval_file("sppas-samples/samples/samples-fra/AC track_0379.wav")
    result = run_cli(
        "transcribe",
        str(empty),
        str(text),
        str(tmp_path),
        str(tmp_path / "missing.flac"),
        str(good),
        "-l",
        "fr",
        "-f",
        "txt",
        "-o",
        str(tmp_path / "out"),
        "-q",
    )
    assert result.returncode == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert "empty" in errors[0] and "not a readable audio" in errors[1]
    assert "directory" in errors[2] and "no such file" in errors[3]
    assert (tmp_path / "out" / "AC track_0379.txt").read_text().strip(), "the good file of the batch was done"


def test_unknown_format_and_language_are_usage_errors():
    wav = str(eval_file(CLIP))
    result = run_cli("transcribe", wav, "-f", "pdf")
    assert result.returncode == 2 and "unknown output format 'pdf'" in result.stderr
    result = run_cli("transcribe", wav, "-l", "french!")
    assert result.returncode == 2 and "not a language code" in result.stderr
    result = run_cli("transcribe", wav, "--diarize", "--speaker-names", "Marie,,Paul")
    assert result.returncode == 2 and "has an empty name" in result.stderr
    result = run_cli("transcribe", wav, "--diarize", "--diarizer", "magic")
    assert result.returncode == 2 and "unknown diarizer 'magic'" in result.stderr


def test_user_model_directory_problems(tmp_path: Path):
    wav = str(eval_file(CLIP))
    result = run_cli("transcribe", wav, "--model", str(tmp_path / "nope"), "-q")
    assert result.returncode == 2 and "does not exist" in result.stderr
    result = run_cli("transcribe", wav, "--model", str(tmp_path), "-q")
    assert result.returncode == 2 and "lacks model.bin" in result.stderr


def test_a_users_own_model_directory_is_used(tmp_path: Path):
    mine = tmp_path / "my-whisper"
    shutil.copytree(ensure_model("whisper-base"), mine)
    out = tmp_path / "out"
    result = run_cli(
        "transcribe",
        str(eval_file(CLIP)),
        "--model",
        str(mine),
        "-l",
        "fr",
        "-f",
        "json",
        "-o",
        str(out),
        "-q",
    )
    assert result.returncode == 0, result.stderr
    assert Transcript.load(out / f"{Path(CLIP).stem}.json").model == str(mine)


def test_tampered_weights_are_refused(tmp_path: Path):
    cache = tmp_path / "cache"
    target = cache / "models" / "whisper-base"
    shutil.copytree(ensure_model("whisper-base"), target)
    (target / ".verified.json").unlink()
    config = target / "config.json"
    config.write_text(config.read_text() + " ")  # one byte more: a different file
    result = run_cli("transcribe", str(eval_file(CLIP)), "-q", env={"GREFFIER_CACHE_DIR": str(cache)})
    assert result.returncode == 2
    assert "SHA-256" in result.stderr and "not loaded" in result.stderr
    models = run_cli("models", env={"GREFFIER_CACHE_DIR": str(cache)})
    assert models.returncode == 2 and "config.json" in models.stdout


def test_models_lists_and_verifies():
    result = run_cli("models", "--verify")
    assert result.returncode == 0, result.stdout + result.stderr
    for key in ("whisper-base", "campplus", "pyannote-segmentation-3.0", "qwen2.5-coder-1.5b-instruct"):
        assert key in result.stdout
    assert result.stdout.count("verified sha256") == 4


def test_a_cache_assembled_under_the_former_llm_key_is_reused(tmp_path: Path):
    """The LLM's key was `qwen2.5-1.5b-instruct` (it is the Coder model): its assembled folder is moved
    to the new name and used as it is, not assembled again."""
    from greffier.config import Settings
    from greffier.models import SPECS

    key = "qwen2.5-coder-1.5b-instruct"
    assembled = ensure_model(key)
    old = tmp_path / "models" / SPECS[key].former_keys[0]
    old.mkdir(parents=True)
    for f in (SPECS[key].main_file, ".verified.json"):  # a link to the real weights, stamps and all
        (old / f).symlink_to(assembled / f)
    directory = ensure_model(key, Settings(cache_dir=tmp_path))
    assert directory == tmp_path / "models" / key and not old.exists()
    assert (directory / SPECS[key].main_file).is_symlink()


def test_main_job_runs_without_any_network(tmp_path: Path):
    """The README's main job (transcribe + speakers + minutes) runs in a network namespace with no
    interface up: nothing can be downloaded, every model comes from the local verified cache."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed for the offline test")
    out = tmp_path / "out"
    sample = str(ROOT / "samples" / "apollo11.mp3")
    cmd = ["unshare", "-n", sys.executable, "-m", "greffier", "transcribe", sample, "--diarize", "--minutes"]
    result = subprocess.run(
        [*cmd, "-f", "json,srt", "-o", str(out), "-q"], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr
    transcript = Transcript.load(out / "apollo11.json")
    assert len(transcript.words) > 50
    assert len(transcript.speakers) >= 1 and all(s.speaker for s in transcript.segments)
    minutes = json.loads((out / "apollo11.minutes.json").read_text())
    assert minutes["summary"].strip()
