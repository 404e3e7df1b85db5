"""`greffier transcribe --diarize`, `greffier speakers list|rename` and the RTTM export, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
import srt

from greffier.transcript import Transcript
from tests.conftest import eval_file, run_cli

CALL = "pyannote-sample/sample.wav"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("diarized")
    result = run_cli(
        "transcribe",
        str(eval_file(CALL)),
        "-l",
        "en",
        "--diarize",
        "-f",
        "json,srt,rttm",
        "-o",
        str(out),
        "-q",
    )
    assert result.returncode == 0, result.stderr
    return out


def test_rttm_lines_are_speaker_turns_of_the_transcript(outputs: Path):
    transcript = Transcript.load(outputs / "sample.json")
    lines = [line.split() for line in (outputs / "sample.rttm").read_text().splitlines()]
    assert len(transcript.speakers) == 2 and lines
    assert all(f[0] == "SPEAKER" and f[1] == "sample" and len(f) == 10 for f in lines)
    assert {f[7] for f in lines} == {s.id for s in transcript.speakers}
    assert transcript.turns, "diarization keeps its speaker turns"
    starts = [float(f[3]) for f in lines]
    assert starts == sorted(starts)
    assert starts == pytest.approx([t.start for t in transcript.turns], abs=1e-3), "the turns are written"
    assert [f[7] for f in lines] == [t.speaker for t in transcript.turns]


def test_rename_a_speaker_and_every_export_uses_the_name(outputs: Path, tmp_path: Path):
    path = tmp_path / "call.json"
    path.write_text((outputs / "sample.json").read_text())
    result = run_cli("speakers", "rename", str(path), "SPEAKER_01", "Sheila Smith")
    assert result.returncode == 0, result.stderr
    renamed = Transcript.load(path)
    assert renamed.speaker_name("SPEAKER_01") == "Sheila Smith"
    assert [s.id for s in renamed.speakers] == ["SPEAKER_00", "SPEAKER_01"], "ids stay"

    listing = run_cli("speakers", "list", str(path))
    assert listing.returncode == 0 and "Sheila Smith" in listing.stdout and "SPEAKER_00" in listing.stdout

    from greffier.export import render

    subtitles = list(srt.parse(str(render(renamed, "srt"))))
    sheila = [s for s, seg in zip(subtitles, renamed.segments, strict=True) if seg.speaker == "SPEAKER_01"]
    assert sheila and all(s.content.startswith("[Sheila Smith]") for s in sheila)
    assert "Sheila_Smith" in str(render(renamed, "rttm"))


def test_renaming_an_unknown_speaker_is_a_clear_error(outputs: Path, tmp_path: Path):
    path = tmp_path / "call.json"
    path.write_text((outputs / "sample.json").read_text())
    result = run_cli("speakers", "rename", str(path), "SPEAKER_07", "X")
    assert result.returncode == 2
    assert "no speaker 'SPEAKER_07'" in result.stderr and "SPEAKER_00" in result.stderr
    assert Transcript.load(path) == Transcript.load(outputs / "sample.json"), "nothing written"


def test_impossible_speaker_bounds_exit_2_before_any_work():
    result = run_cli(
        "transcribe", str(eval_file(CALL)), "--diarize", "--min-speakers", "5", "--max-speakers", "2", "-q"
    )
    assert result.returncode == 2
    assert "--min-speakers 5 is above --max-speakers 2" in result.stderr
    assert "Traceback" not in result.stderr
