"""Emergency-call form extraction against the gold forms of Simsamu calls (tests/data/calls/*.json).

`python -m bench calls` prints, per field, precision and recall of the rule-based extractor over the
gold calls (dev split: the calls the rules were written on; held-out: annotated before the rules and
never used to tune them), red-flag recall first, then the suggested priority and care level, the
share of correct values whose evidence points at a gold quote's segment, and the extraction time.
Simsamu's calls name no address: the commune and street come last, on the synthetic address calls.
The baseline beside it is an empty form (every gold value missed, nothing wrong). A last line compares
the same calls without speaker labels (as the live path reads them before any diarization).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.calls_where import print_where
from bench.calls_where import score_text as score_where
from greffier.calls.catalogue import SPECS
from greffier.calls.extract import extract_transcript
from greffier.calls.form import CaseForm
from greffier.calls.simsamu import load_simsamu

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "tests" / "data" / "calls"
EVAL = Path(os.environ.get("GREFFIER_EVAL_DIR", ROOT.parent / "shared" / "eval"))
SCORED = (
    "red_flags",
    "caller.type",
    "caller.relation",
    "caller.communication",
    "location.kind",
    "location.floor",
    "what_happened",
    "health_motive",
    "patient.age",
    "patient.sex",
    "patient.history",
    "patient.treatments",
    "vitals.consciousness",
    "vitals.breathing",
    "vitals.bleeding",
    "vitals.pain",
    "risks",
)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    evidence_hits: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    fields: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    flags: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    calls_with_flags: int = 0
    calls_flag_found: int = 0
    priority_exact: int = 0
    priority_within_one: int = 0
    priority_under: int = 0
    care_exact: int = 0
    n: int = 0
    seconds: float = 0.0


def gold_calls(split: str | None = None) -> list[dict]:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]
    return [d for d in docs if split is None or d["split"] == split]


def transcript_for(doc: dict):
    return load_simsamu(EVAL / doc["source"])


def _items(entry: object) -> dict[str, set[int]]:
    """value -> gold quote segment ids."""
    entries = entry if isinstance(entry, list) else [entry] if entry else []
    return {str(e["value"]): {q[0] for q in e["quotes"]} for e in entries}


def _predicted(form: CaseForm, key: str) -> dict[str, set[int]]:
    f = form[key]
    values = f.values if SPECS[key].multiple else f.values[-1:]
    return {str(v.value): {e.segment_id for e in v.evidence} for v in values}


def _unlabelled(transcript):
    """The transcript as live transcription gives it before diarization: no speaker anywhere."""
    segments = tuple(
        dataclasses.replace(
            s, speaker=None, words=tuple(dataclasses.replace(w, speaker=None) for w in s.words)
        )
        for s in transcript.segments
    )
    return dataclasses.replace(transcript, segments=segments, speakers=(), metadata={})


def score(docs: list[dict], empty: bool = False, unlabelled: bool = False) -> Report:
    report = Report()
    for doc in docs:
        transcript = transcript_for(doc)
        if unlabelled:
            transcript = _unlabelled(transcript)
        started = time.perf_counter()
        form = CaseForm() if empty else extract_transcript(transcript)
        report.seconds += time.perf_counter() - started
        add_call(report, doc, form)
    return report


def add_call(report: Report, doc: dict, form: CaseForm) -> None:
    """Score one call's form against its gold (`doc`, a file of tests/data/calls) into `report`."""
    report.n += 1
    gold = doc["fields"]
    for key in SCORED:
        expected, got = _items(gold.get(key)), _predicted(form, key)
        counts = report.fields[key]
        for value, segs in got.items():
            if value in expected:
                counts.tp += 1
                counts.evidence_hits += bool(segs & expected[value])
            else:
                counts.fp += 1
                counts.errors.append(
                    f"{doc['call']}: +{value}" + (f" (gold {sorted(expected)})" if expected else "")
                )
        for value in expected:
            if value not in got:
                counts.fn += 1
                if not got or SPECS[key].multiple:
                    counts.errors.append(f"{doc['call']}: missed {value}")
    expected_flags, got_flags = set(_items(gold.get("red_flags"))), set(_predicted(form, "red_flags"))
    for flag in expected_flags | got_flags:
        c = report.flags[flag]
        c.tp += flag in expected_flags and flag in got_flags
        c.fp += flag in got_flags and flag not in expected_flags
        c.fn += flag in expected_flags and flag not in got_flags
    if expected_flags:
        report.calls_with_flags += 1
        report.calls_flag_found += bool(expected_flags & got_flags)
    gold_p, gold_r = gold["priority"]["value"], gold["care_level"]["value"]
    pred_p = form.priority.value if form.priority else "P3"
    pred_r = form.care_level.value if form.care_level else "R4"
    report.priority_exact += pred_p == gold_p
    report.priority_within_one += abs(int(pred_p[1]) - int(gold_p[1])) <= 1
    report.priority_under += int(pred_p[1]) > int(gold_p[1])
    report.care_exact += pred_r == gold_r


def _pct(x: float | None) -> str:
    return "  —  " if x is None else f"{100 * x:5.1f}"


def print_report(name: str, report: Report, baseline: Report, show_errors: bool) -> None:
    print(f"\n## {name}: {report.n} calls, extraction {1000 * report.seconds / max(report.n, 1):.0f} ms/call")
    flagged = report.calls_flag_found / report.calls_with_flags if report.calls_with_flags else None
    print(
        f"red flags, calls with >=1 gold flag that raised one: {report.calls_flag_found}/{report.calls_with_flags}"
        f" ({_pct(flagged)} %)"
    )
    print(f"{'red flag':24} {'P':>6} {'R':>6}   tp fp fn")
    for flag, c in sorted(report.flags.items()):
        print(f"{flag:24} {_pct(c.precision):>6} {_pct(c.recall):>6}   {c.tp:2} {c.fp:2} {c.fn:2}")
    print(f"{'field':24} {'P':>6} {'R':>6} {'R base':>7}   tp fp fn  evidence")
    for key in SCORED:
        c, b = report.fields[key], baseline.fields[key]
        ev = f"{c.evidence_hits}/{c.tp}" if c.tp else "—"
        print(
            f"{key:24} {_pct(c.precision):>6} {_pct(c.recall):>6} {_pct(b.recall):>7}   {c.tp:2} {c.fp:2} {c.fn:2}  {ev}"
        )
        if show_errors and c.errors:
            print("      " + "; ".join(c.errors))
    n = max(report.n, 1)
    print(
        f"priority exact {report.priority_exact}/{report.n} ({100 * report.priority_exact / n:.0f} %),"
        f" within one {report.priority_within_one}/{report.n}, less urgent than gold {report.priority_under};"
        f" care level exact {report.care_exact}/{report.n} ({100 * report.care_exact / n:.0f} %)"
    )


def _micro(report: Report) -> str:
    tp = sum(c.tp for c in report.fields.values())
    fp = sum(c.fp for c in report.fields.values())
    fn = sum(c.fn for c in report.fields.values())
    return (
        f"P {_pct(tp / (tp + fp) if tp + fp else None)} R {_pct(tp / (tp + fn) if tp + fn else None)}"
        f" (tp {tp} fp {fp} fn {fn}), red flags in {report.calls_flag_found}/{report.calls_with_flags} calls,"
        f" priority exact {report.priority_exact}/{report.n}"
    )


def main() -> None:
    show = os.environ.get("BENCH_ERRORS") == "1"
    for split in ("dev", "heldout", None):
        docs = gold_calls(split)
        print_report(split or "all", score(docs), score(docs, empty=True), show)
    docs = gold_calls()
    print("\n## all fields, micro-averaged: with the speaker labels versus without (live, no diarization)")
    print(f"with speakers    {_micro(score(docs))}")
    print(f"without speakers {_micro(score(docs, unlabelled=True))}")
    print(
        "\n## where: the commune (INSEE code) and street proposed, synthetic address calls (bench/calls_where.py)"
    )
    print_where("text", score_where())


if __name__ == "__main__":
    main()
