"""Consent, licences, export layout, determinism, withdrawal, and no annotated identifier in an export."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from bench.pii_corpus import gold_files, leaked, load
from greffier.dataset.card import evaluation
from greffier.dataset.consent import Consent, ConsentRecord, LicenceRecord, SqliteConsentStore, forget, now
from greffier.dataset.export import ExportOptions, export_dataset
from greffier.transcript import Transcript
from tests.conftest import run_cli

CALLS = ("dj_2022_nrp", "dj_2022_ne_reagit_pas", "dj_mai_malaise_joyeux")


def _store(tmp_path: Path, meetings: dict[str, Transcript], licence: str = "cc-by-4.0") -> SqliteConsentStore:
    store = SqliteConsentStore(tmp_path / "consent.sqlite3")
    for name, transcript in meetings.items():
        store.set_licence(LicenceRecord(name, licence, "test", now(), name, "simsamu"))
        for speaker in transcript.speakers:
            store.record_consent(
                ConsentRecord(name, speaker.id, Consent.GIVEN, "test", now(), f"{name}/{speaker.id}")
            )
    return store


def _records(out: Path) -> list[dict]:
    return [
        json.loads(line) for line in (out / "data" / "train-00000-of-00001.jsonl").read_text().splitlines()
    ]


def test_no_annotated_identifier_leaves_in_an_export(tmp_path: Path) -> None:
    files = [f for f in gold_files() if f.corpus != "synthetic"]
    meetings = {f.name: f.transcript for f in files}
    store = _store(tmp_path, meetings)
    result = export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "out", ExportOptions())
    assert result.records == len(files)
    exported = (tmp_path / "out" / "data" / "train-00000-of-00001.jsonl").read_text()
    assert leaked(files, exported) == []
    assert "[Nom_1]" in exported


def test_layout_card_and_manifest(tmp_path: Path) -> None:
    meetings = {c: load("simsamu", c) for c in CALLS}
    store = _store(tmp_path, meetings)
    result = export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "out", ExportOptions())
    records = _records(tmp_path / "out")
    assert len(records) == 3 == result.records
    first = records[0]
    assert set(first) == {"id", "text", "turns", "language", "duration", "source", "license", "num_speakers"}
    assert first["text"].startswith("[Intervenant 1:] ") and first["license"] == "cc-by-4.0"
    assert first["num_speakers"] == 2 and first["source"] == "simsamu"
    assert not any(c in first["id"] for c in CALLS)
    card = (tmp_path / "out" / "README.md").read_text()
    measured = evaluation()["real"]["scores"]["NAME"]["recall"]
    assert f"| NAME | {evaluation()['real']['scores']['NAME']['n']} | {measured:.3f} |" in card
    assert "license: cc-by-4.0" in card and "## Consent process" in card and "## Citation" in card
    manifest = (tmp_path / "out" / "checksums.sha256").read_text().splitlines()
    assert [line.split("  ")[1] for line in manifest] == ["README.md", "data/train-00000-of-00001.jsonl"]


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_same_inputs_give_the_same_bytes(tmp_path: Path, fmt: str) -> None:
    meetings = {c: load("simsamu", c) for c in CALLS}
    outputs = []
    for run in ("a", "b"):
        store = _store(tmp_path / run, meetings)
        export_dataset(
            store, lambda r: meetings[r.meeting], tmp_path / run / "out", ExportOptions(format=fmt)
        )
        outputs.append(
            {
                p.relative_to(tmp_path / run / "out"): p.read_bytes()
                for p in sorted((tmp_path / run / "out").rglob("*"))
                if p.is_file()
            }
        )
    assert outputs[0] == outputs[1]
    if fmt == "parquet":
        table = pq.read_table(tmp_path / "a" / "out" / "data" / "train-00000-of-00001.parquet")
        assert table.num_rows == 3 and table.column("text")[0].as_py().startswith("[Intervenant")


def test_only_licensed_meetings_and_consenting_speakers(tmp_path: Path) -> None:
    meetings = {c: load("simsamu", c) for c in CALLS}
    store = _store(tmp_path, meetings)
    store.set_licence(LicenceRecord(CALLS[2], "none", "test", now(), CALLS[2]))
    store.set_licence(LicenceRecord(CALLS[1], "cc-by-sa-4.0", "test", now(), CALLS[1]))
    store.record_consent(ConsentRecord(CALLS[0], "patient", Consent.REFUSED, "test", now()))
    patient_words = "professeur"  # said only by the caller in dj_2022_nrp

    result = export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "o1", ExportOptions())
    assert result.records == 2 and (CALLS[2], "licence none") in result.skipped
    nrp = next(r for r in _records(tmp_path / "o1") if r["license"] == "cc-by-4.0")
    assert nrp["num_speakers"] == 1 and patient_words not in nrp["text"]
    assert {t["speaker"] for t in nrp["turns"]} == {"Intervenant 1"}

    export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "o2", ExportOptions(mask_refused=True))
    masked = next(r for r in _records(tmp_path / "o2") if r["license"] == "cc-by-4.0")
    assert "[Intervenant 2:] [masqué]" in masked["text"] and patient_words not in masked["text"]

    only_sa = export_dataset(
        store, lambda r: meetings[r.meeting], tmp_path / "o3", ExportOptions(licences=("cc-by-sa-4.0",))
    )
    assert only_sa.records == 1


def test_forget_removes_a_speaker_and_lists_past_exports(tmp_path: Path) -> None:
    meetings = {c: load("simsamu", c) for c in CALLS[:2]}
    store = _store(tmp_path, meetings)
    store.record_consent(ConsentRecord(CALLS[1], "medecin", Consent.GIVEN, "test", now(), "dr-l"))
    first = export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "before", ExportOptions())
    withdrawn, past = forget(store, "dr-l", "dpo")
    assert [(w.meeting, w.speaker) for w in withdrawn] == [(CALLS[1], "medecin")]
    assert [e.export_id for e in past] == [first.export_id]
    export_dataset(store, lambda r: meetings[r.meeting], tmp_path / "after", ExportOptions())
    after = next(r for r in _records(tmp_path / "after") if r["num_speakers"] == 1)
    assert {t["speaker"] for t in after["turns"]} == {"Intervenant 2"}  # the doctor spoke first


def test_cli_consent_license_export_forget(tmp_path: Path) -> None:
    transcript = tmp_path / "appel.json"
    load("simsamu", CALLS[0]).save(transcript)
    env = {"GREFFIER_DATA_DIR": str(tmp_path / "data")}
    steps = [
        (
            "dataset",
            "license",
            str(transcript),
            "--license",
            "CC-BY-4.0",
            "--source",
            "simsamu",
            "--by",
            "dpo",
        ),
        (
            "dataset",
            "consent",
            str(transcript),
            "--speaker",
            "medecin",
            "--status",
            "given",
            "--person",
            "dr-i",
        ),
        ("dataset", "consent", "appel", "--speaker", "patient", "--status", "refused"),
        ("dataset", "export", "--out", str(tmp_path / "out"), "--format", "parquet", "--mask-refused"),
        ("dataset", "forget", "--speaker", "dr-i"),
        ("dataset", "export", "--out", str(tmp_path / "out2")),
    ]
    outputs = []
    for step in steps:
        result = run_cli(*step, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "1 conversation(s)" in outputs[3]
    assert "withdrawn: appel / medecin" in outputs[4] and "contained in past export" in outputs[4]
    assert "0 conversation(s)" in outputs[5] and "no consenting speaker" in outputs[5]
    bad = run_cli("dataset", "license", str(transcript), "--license", "cc-by-nc", env=env)
    assert bad.returncode == 2 and "unknown licence" in bad.stderr
