"""Consent, licences and the dataset export on the service database (SQLite and a real PostgreSQL):
latest entry wins with the history kept, organisations isolated, deletion cascades, forget lists the past
exports, the export job's zip, and the same bytes as the file mode for the same inputs."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.pii_corpus import gold_files, leaked, load
from conftest import run_cli
from dataset_seed import seed_meeting
from greffier.app.dataset_export import export_from_service, export_key, start_export
from greffier.config import Settings
from greffier.dataset.consent import Consent, ConsentRecord, LicenceRecord, SqliteConsentStore, forget, now
from greffier.dataset.export import ExportOptions, export_dataset, record_id
from greffier.jobs.context import STORE_HOOKS, JobContext
from greffier.jobs.runner import JobRunner
from greffier.store import accounts
from greffier.store.blobs import BlobStore
from greffier.store.consent import DatabaseConsentStore
from greffier.store.db import Database
from greffier.store.meetings import delete_meeting
from greffier.store.models import ConsentEntry, DatasetExport, Job, MeetingLicence

CALLS = ("dj_2022_nrp", "dj_2022_ne_reagit_pas", "dj_mai_malaise_joyeux")
NRP_PATIENT_WORD = "professeur"  # said only by the caller in dj_2022_nrp


def _org(db: Database) -> uuid.UUID:
    return accounts.create_organisation(db, f"org-{uuid.uuid4().hex[:8]}").id


def _share(store: DatabaseConsentStore, meeting: uuid.UUID, person_of: dict[str, str | None]) -> None:
    key = str(meeting)
    store.set_licence(LicenceRecord(key, "cc-by-4.0", "dpo", now(), key, "simsamu"))
    for speaker, person in person_of.items():
        store.record_consent(ConsentRecord(key, speaker, Consent.GIVEN, "dpo", now(), person))


def test_latest_consent_wins_history_is_kept_and_organisations_are_apart(db: Database) -> None:
    org, other = _org(db), _org(db)
    meeting = seed_meeting(db, org, load("simsamu", CALLS[0]), "appel")
    store, key = DatabaseConsentStore(db, org), str(meeting)
    store.record_consent(ConsentRecord(key, "medecin", Consent.GIVEN, "ana", now(), "dr-l"))
    store.record_consent(ConsentRecord(key, "patient", Consent.GIVEN, "ana", now()))
    store.record_consent(ConsentRecord(key, "patient", Consent.REFUSED, "bob", now()))
    latest = {c.speaker: (c.status, c.recorded_by, c.person) for c in store.consents(key)}
    assert latest == {"medecin": (Consent.GIVEN, "ana", "dr-l"), "patient": (Consent.REFUSED, "bob", None)}
    assert [(c.speaker, c.status) for c in store.history(key)] == [
        ("medecin", Consent.GIVEN),
        ("patient", Consent.GIVEN),
        ("patient", Consent.REFUSED),
    ]
    store.set_licence(LicenceRecord(key, "cc-by-4.0", "ana", now(), key, "simsamu"))
    store.set_licence(LicenceRecord(key, "cc-by-sa-4.0", "bob", now(), key, "simsamu"))
    assert [(r.licence, r.recorded_by, r.transcript) for r in store.licences()] == [
        ("cc-by-sa-4.0", "bob", key)
    ]

    theirs = DatabaseConsentStore(db, other)
    assert theirs.consents() == [] and theirs.licences() == []
    with pytest.raises(KeyError):  # another organisation cannot write on our meeting
        theirs.record_consent(ConsentRecord(key, "medecin", Consent.WITHDRAWN, "eve", now()))
    assert forget(theirs, "dr-l", "eve", speaker_ids=False) == ([], [])
    assert store.consents(key)[0].status is Consent.GIVEN


def test_deleting_a_meeting_deletes_its_consents_and_licence(db: Database, tmp_path: Path) -> None:
    org = _org(db)
    gone, kept = (seed_meeting(db, org, load("simsamu", call), call) for call in CALLS[:2])
    store = DatabaseConsentStore(db, org)
    _share(store, gone, {"medecin": "dr-a", "patient": None})
    _share(store, kept, {"medecin": "dr-b"})
    assert delete_meeting(db, BlobStore(tmp_path / "blobs"), org, gone)
    assert [c.meeting for c in store.consents()] == [str(kept)]
    assert [r.meeting for r in store.licences()] == [str(kept)]
    with db.read() as session:
        for model in (ConsentEntry, MeetingLicence):
            assert session.scalar(sa.select(sa.func.count()).where(model.meeting_id == gone)) == 0


def test_service_export_holds_consenting_speakers_only_and_no_annotated_identifier(
    db: Database, tmp_path: Path
) -> None:
    org = _org(db)
    store = DatabaseConsentStore(db, org)
    files = [f for f in gold_files() if f.corpus != "synthetic"]
    ids = {}
    for gold in files:
        meeting = ids[gold.name] = seed_meeting(db, org, gold.transcript, gold.name)
        refused = gold.name == CALLS[0]
        _share(
            store,
            meeting,
            {
                s.id: f"{gold.name}/{s.id}"
                for s in gold.transcript.speakers
                if not (refused and s.id == "patient")
            },
        )
        if refused:
            store.record_consent(ConsentRecord(str(meeting), "patient", Consent.REFUSED, "dpo", now()))
    result = export_from_service(db, org, tmp_path / "out", ExportOptions())
    assert result.records == len(files)
    exported = (tmp_path / "out" / "data" / "train-00000-of-00001.jsonl").read_text()
    assert leaked(files, exported) == []
    assert "[Nom_1]" in exported and NRP_PATIENT_WORD not in exported
    records = {r["id"]: r for r in map(json.loads, exported.splitlines())}
    assert records[record_id(str(ids[CALLS[0]]))]["num_speakers"] == 1  # the caller refused
    assert records[record_id(str(ids[CALLS[1]]))]["num_speakers"] == 2
    held = {person for _, _, person in store.exports()[0].speakers}
    assert f"{CALLS[0]}/patient" not in held and f"{CALLS[0]}/medecin" in held


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_service_export_has_the_file_modes_bytes(tmp_path: Path, fmt: str) -> None:
    """Same meetings, licences and consents: the service database and the CLI's SQLite store give the same files."""
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    org = _org(db)
    service, files = DatabaseConsentStore(db, org), SqliteConsentStore(tmp_path / "consent.sqlite3")
    meetings = {}
    for call in CALLS:
        meeting = seed_meeting(db, org, load("simsamu", call), call)
        meetings[str(meeting)] = load("simsamu", call)
        for store in (service, files):
            _share(store, meeting, {"medecin": f"{call}/medecin", "patient": None})
    options = ExportOptions(format=fmt)
    outputs = []
    for name, run in [
        ("a", lambda out: export_from_service(db, org, out, options)),
        ("b", lambda out: export_from_service(db, org, out, options)),
        ("file", lambda out: export_dataset(files, lambda r: meetings[r.meeting], out, options)),
    ]:
        run(tmp_path / name)
        outputs.append(
            {
                p.relative_to(tmp_path / name): p.read_bytes()
                for p in sorted((tmp_path / name).rglob("*"))
                if p.is_file()
            }
        )
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(outputs[0]) == 3
    db.dispose()


def test_forget_withdraws_a_person_everywhere_and_lists_the_past_exports(
    db: Database, tmp_path: Path
) -> None:
    org = _org(db)
    store = DatabaseConsentStore(db, org)
    first, second = (seed_meeting(db, org, load("simsamu", call), call) for call in CALLS[:2])
    _share(store, first, {"medecin": "dr-l", "patient": "p-1"})
    _share(store, second, {"medecin": "dr-l", "patient": "p-2"})
    before = export_from_service(db, org, tmp_path / "before", ExportOptions())
    other = export_from_service(db, org, tmp_path / "other", ExportOptions(licences=("cc-by-sa-4.0",)))
    assert other.records == 0
    withdrawn, past = forget(store, "dr-l", "dpo", speaker_ids=False)
    assert sorted((w.meeting, w.speaker) for w in withdrawn) == sorted(
        [(str(first), "medecin"), (str(second), "medecin")]
    )
    assert [e.export_id for e in past] == [before.export_id]  # the empty export did not hold them
    assert forget(store, "medecin", "dpo", speaker_ids=False)[0] == []  # a speaker id is no person
    after = export_from_service(db, org, tmp_path / "after", ExportOptions())
    records = [
        json.loads(line)
        for line in (tmp_path / "after/data/train-00000-of-00001.jsonl").read_text().splitlines()
    ]
    assert after.records == 2 and all(r["num_speakers"] == 1 for r in records)


def test_the_export_job_writes_a_zip_and_records_what_it_held(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    org = _org(db)
    store = DatabaseConsentStore(db, org)
    meeting = seed_meeting(db, org, load("simsamu", CALLS[0]), CALLS[0])
    _share(store, meeting, {"medecin": "dr-l"})
    blobs = BlobStore(settings.blobs_dir)
    archives = []
    for _ in range(2):
        with db.write() as session:
            job, row = start_export(session, settings, org, "ana", {})
        JobRunner(settings, db, blobs).run(job.id)
        with db.read() as session:
            assert session.get(Job, job.id).state == "succeeded"
            done = session.get(DatasetExport, row.id)
        assert done.records == 1 and done.location == export_key(org, row.id)
        assert done.speakers["held"] == [[str(meeting), "medecin", "dr-l"]]
        archives.append(blobs.get_bytes(done.location))
    assert archives[0] == archives[1]  # the same inputs, the same zip
    with zipfile.ZipFile(io.BytesIO(archives[0])) as archive:
        assert archive.namelist() == ["README.md", "checksums.sha256", "data/train-00000-of-00001.jsonl"]
        assert archive.read("checksums.sha256").decode() == done.manifest
        assert NRP_PATIENT_WORD not in archive.read("data/train-00000-of-00001.jsonl").decode()
    db.dispose()


def test_cli_exports_and_forgets_from_the_service_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = Database(f"sqlite:///{data / 'greffier.db'}")
    data.mkdir()
    db.migrate()
    org = accounts.create_organisation(db, "acme").id
    store = DatabaseConsentStore(db, org)
    meeting = seed_meeting(db, org, load("simsamu", CALLS[0]), CALLS[0])
    _share(store, meeting, {"medecin": "dr-l"})
    env = {"GREFFIER_DATA_DIR": str(data), "GREFFIER_CONFIG": str(tmp_path / "none.toml")}
    done = run_cli(
        "dataset", "export", "--from-service", "--org", "acme", "--out", str(tmp_path / "out"), env=env
    )
    assert done.returncode == 0, done.stderr
    assert "1 conversation(s)" in done.stdout
    assert (tmp_path / "out" / "data" / "train-00000-of-00001.jsonl").read_text().count("\n") == 1
    assert [e.out_dir for e in store.exports()] == [str((tmp_path / "out").resolve())]
    gone = run_cli("dataset", "forget", "--speaker", "dr-l", "--from-service", "--org", "acme", env=env)
    assert gone.returncode == 0, gone.stderr
    assert f"withdrawn: {meeting} / medecin" in gone.stdout and "contained in past export" in gone.stdout
    assert store.consents()[0].status is Consent.WITHDRAWN
    for args, problem in [
        (("--from-service",), "--org NAME"),
        (("--from-service", "--org", "nope"), "no organisation"),
    ]:
        bad = run_cli("dataset", "export", "--out", str(tmp_path / "x"), *args, env=env)
        assert bad.returncode == 2 and problem in bad.stderr, bad.stderr
    db.dispose()


def test_a_meeting_erased_while_its_export_is_written_withdraws_that_export(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'g.db'}")
    db.migrate()
    org = _org(db)
    store = DatabaseConsentStore(db, org)
    erased, kept = (seed_meeting(db, org, load("simsamu", call), call) for call in CALLS[:2])
    _share(store, erased, {"medecin": "dr-l"})
    _share(store, kept, {"medecin": "dr-k"})
    blobs = BlobStore(settings.blobs_dir)
    with db.write() as session:
        job, row = start_export(session, settings, org, "ana", {})

    def erase(ctx: JobContext, key: str) -> None:
        """The export is pseudonymised and logged; its archive is about to be stored."""
        if ctx.job_id == job.id:
            assert delete_meeting(db, blobs, org, erased)

    STORE_HOOKS.append(erase)
    try:
        JobRunner(settings, db, blobs).run(job.id)
    finally:
        STORE_HOOKS.remove(erase)
    with db.read() as session:
        done = session.get(DatasetExport, row.id)
    assert done.withdrawn is not None and record_id(str(erased)) in (done.withdrawn_reason or "")
    assert done.speakers["held"] == [[str(kept), "medecin", "dr-k"]]
    assert not blobs.exists(export_key(org, row.id)), "the archive that held the erased meeting is gone"
    db.dispose()
