"""Licensed, consented, pseudonymised conversations as a Hugging Face `datasets` folder.

    OUT/README.md                          the data card
    OUT/data/train-00000-of-00001.jsonl    (or .parquet) one record per conversation
    OUT/checksums.sha256                   SHA-256 of every other file

Records follow OpenLLM-France's Claire dialogue layout: `text` is the conversation with one
`[Intervenant N:] …` line per turn. The same inputs give the same bytes (sorted meetings, fixed JSON,
no dates in the files); the export log in the consent store keeps when and where it was written.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from greffier.dataset import card
from greffier.dataset.consent import ConsentStore, ExportRecord, LicenceRecord, consenting, now
from greffier.dataset.options import FORMATS, ExportOptions
from greffier.dataset.pseudonymise import Detector, pseudonymise
from greffier.errors import OptionsError
from greffier.export.turns import turns
from greffier.transcript import Transcript

MASK = {"fr": "[masqué]", "en": "[masked]"}
MANIFEST = "checksums.sha256"


@dataclass(frozen=True)
class ExportResult:
    out: Path
    records: int
    export_id: str
    files: tuple[Path, ...]
    skipped: tuple[tuple[str, str], ...]  # (meeting, why)


def record_id(meeting: str) -> str:
    """A stable id that does not reveal the meeting's name."""
    return hashlib.sha256(f"greffier-meeting:{meeting}".encode()).hexdigest()[:16]


def build_record(
    licence: LicenceRecord,
    transcript: Transcript,
    allowed: set[str],
    options: ExportOptions,
    detectors: dict[str, Detector],
) -> dict[str, Any] | None:
    """One conversation, or None when no consenting speaker said anything."""
    language = transcript.language
    if language not in detectors:
        detectors[language] = Detector(language, options.pseudonymise)
    clean = pseudonymise(transcript, options.pseudonymise, detectors[language], seed=licence.meeting)
    keep = {clean.speaker_ids[s] for s in allowed if s in clean.speaker_ids}
    segments = []
    for segment in clean.transcript.segments:
        if segment.speaker in keep:
            segments.append(segment)
        elif options.mask_refused:
            segments.append(replace(segment, text=MASK.get(language, MASK["en"])))
    if not any(s.speaker in keep for s in segments):
        return None
    conversation = turns(replace(clean.transcript, segments=tuple(segments)))
    return {
        "id": record_id(licence.meeting),
        "text": "\n".join(f"[{t.speaker}:] {t.text}" for t in conversation),
        "turns": [
            {"speaker": t.speaker, "start": round(t.start, 2), "end": round(t.end, 2), "text": t.text}
            for t in conversation
        ],
        "language": language,
        "duration": round(transcript.duration, 2),
        "source": licence.source,
        "license": licence.licence,
        "num_speakers": len({s.speaker for s in segments if s.speaker in keep}),
    }


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode()


def _parquet(records: list[dict[str, Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    turn = pa.struct(
        [("speaker", pa.string()), ("start", pa.float64()), ("end", pa.float64()), ("text", pa.string())]
    )
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.string()),
            ("turns", pa.list_(turn)),
            ("language", pa.string()),
            ("duration", pa.float64()),
            ("source", pa.string()),
            ("license", pa.string()),
            ("num_speakers", pa.int32()),
        ]
    )
    table = pa.Table.from_pylist(records, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd", write_statistics=False, store_schema=False)
    return buffer.getvalue()


def export_dataset(
    store: ConsentStore,
    load: Callable[[LicenceRecord], Transcript],
    out: Path,
    options: ExportOptions,
) -> ExportResult:
    if options.format not in FORMATS:
        raise OptionsError(f"unknown dataset format {options.format!r}", f"choose among {', '.join(FORMATS)}")
    records, skipped, included = [], [], []
    detectors: dict[str, Detector] = {}
    for licence in store.licences():
        if licence.licence == "none" or (options.licences and licence.licence not in options.licences):
            skipped.append((licence.meeting, f"licence {licence.licence}"))
            continue
        allowed = consenting(store, licence.meeting)
        record = build_record(licence, load(licence), allowed, options, detectors) if allowed else None
        if record is None:
            skipped.append((licence.meeting, "no consenting speaker"))
            continue
        records.append(record)
        people = {c.speaker: c.person for c in store.consents(licence.meeting)}
        included += [(licence.meeting, s, people.get(s)) for s in sorted(allowed)]
    records.sort(key=lambda r: r["id"])
    data = _jsonl(records) if options.format == "jsonl" else _parquet(records)
    out = Path(out)
    (out / "data").mkdir(parents=True, exist_ok=True)
    for stale in (out / "data").glob("train-*"):
        stale.unlink()
    files = {
        f"data/train-00000-of-00001.{options.format}": data,
        "README.md": card.render(records, options).encode(),
    }
    for relative, content in files.items():
        (out / relative).write_bytes(content)
    manifest = "".join(f"{hashlib.sha256(c).hexdigest()}  {r}\n" for r, c in sorted(files.items())).encode()
    (out / MANIFEST).write_bytes(manifest)
    export_id = hashlib.sha256(manifest).hexdigest()
    store.log_export(ExportRecord(export_id, now(), str(out.resolve()), tuple(included)))
    return ExportResult(
        out, len(records), export_id, tuple(out / r for r in [*sorted(files), MANIFEST]), tuple(skipped)
    )
