"""Pseudonymiser recall and precision per category on the hand-annotated transcripts.

    PYTHONPATH=src python -m bench dataset

Gold: tests/data/pii/ (RULES.md says how it was annotated). A gold span counts as found when every one
of its letters and digits lies inside detected spans (whatever their category: what matters is that
nothing leaks); a detected span counts as correct when it overlaps a gold span. Each configuration is
printed side by side with the baseline (rules only), on the text as transcribed and lower-cased (what a
speech recogniser without casing gives).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bench.pii_corpus import GoldFile, gold_files
from greffier.dataset.pseudonymise import CATEGORIES, Detector, PseudonymiseOptions, Span


@dataclass
class Score:
    gold: Counter
    found: Counter
    predicted: Counter
    correct: Counter
    missed: list[str]
    wrong: list[str]

    def recall(self, category: str | None = None) -> float:
        g = self.gold[category] if category else sum(self.gold.values())
        f = self.found[category] if category else sum(self.found.values())
        return f / g if g else float("nan")

    def precision(self, category: str | None = None) -> float:
        p = self.predicted[category] if category else sum(self.predicted.values())
        c = self.correct[category] if category else sum(self.correct.values())
        return c / p if p else float("nan")


def _covered(text: str, start: int, end: int, spans: list[Span]) -> bool:
    return all(any(s.start <= i < s.end for s in spans) for i in range(start, end) if text[i].isalnum())


def detect(file: GoldFile, options: PseudonymiseOptions, lower: bool) -> dict[int, list[Span]]:
    turns = [s.text.lower() if lower else s.text for s in file.transcript.segments]
    spans = Detector(file.transcript.language, options).detect(turns)
    return {s.id: found for s, found in zip(file.transcript.segments, spans, strict=True)}


def score(files: list[GoldFile], options: PseudonymiseOptions, lower: bool = False) -> Score:
    result = Score(Counter(), Counter(), Counter(), Counter(), [], [])
    for file in files:
        predicted = detect(file, options, lower)
        for g in file.spans:
            text = file.transcript.segment(g.segment).text
            result.gold[g.category] += 1
            if _covered(text, g.start, g.end, predicted[g.segment]):
                result.found[g.category] += 1
            else:
                result.missed.append(f"{file.name}#{g.segment} {g.category} {g.text!r}")
        for segment_id, spans in predicted.items():
            text = file.transcript.segment(segment_id).text
            gold_here = [g for g in file.spans if g.segment == segment_id]
            for s in spans:
                result.predicted[s.category] += 1
                if any(g.start < s.end and s.start < g.end for g in gold_here):
                    result.correct[s.category] += 1
                else:
                    result.wrong.append(
                        f"{file.name}#{segment_id} {s.category} {text[s.start : s.end]!r} ({s.source})"
                    )
    return result


def _fmt(x: float) -> str:
    return "  -  " if x != x else f"{x:5.3f}"


def report(
    title: str, files: list[GoldFile], configs: dict[str, PseudonymiseOptions], lower: bool = False
) -> Score:
    spans = sum(len(f.spans) for f in files)
    print(f"\n## {title}: {len(files)} transcripts, {spans} gold spans{' (lower-cased)' if lower else ''}")
    scores = {}
    for name, options in configs.items():
        t0 = time.perf_counter()
        scores[name] = score(files, options, lower)
        print(f"   {name}: {time.perf_counter() - t0:.1f} s")
    header = "".join(f" | {n[:22]:>22} R / P     " for n in configs)
    print(f"{'category':9}{header}")
    for category in [*CATEGORIES, None]:
        if category and not any(s.gold[category] or s.predicted[category] for s in scores.values()):
            continue
        row = "".join(
            f" | n={s.gold[category] if category else sum(s.gold.values()):<4} "
            f"{_fmt(s.recall(category))} / {_fmt(s.precision(category))}    "
            for s in scores.values()
        )
        print(f"{category or 'ALL':9}{row}")
    best = scores[next(reversed(configs))]
    for line in best.missed:
        print(f"   missed: {line}")
    for line in best.wrong[:25]:
        print(f"   false alarm: {line}")
    if len(best.wrong) > 25:
        print(f"   … {len(best.wrong) - 25} more false alarms")
    return best


def summary(s: Score) -> dict[str, dict[str, float | int | None]]:
    def clean(x: float) -> float | None:
        return None if x != x else round(x, 3)

    out = {
        c: {"n": s.gold[c], "recall": clean(s.recall(c)), "precision": clean(s.precision(c))}
        for c in CATEGORIES
        if s.gold[c]
    }
    out["ALL"] = {"n": sum(s.gold.values()), "recall": clean(s.recall()), "precision": clean(s.precision())}
    return out


def main() -> None:
    files = gold_files()
    full = PseudonymiseOptions()
    configs = {
        "rules, no spaCy (base)": replace(full, model=None, propagate=False),
        "rules+lexicon": replace(full, ner=False, propagate=False),
        "rules+lexicon+NER": replace(full, propagate=False),
        "full: +propagation": full,
    }
    real = [f for f in files if f.corpus != "synthetic"]
    synthetic = [f for f in files if f.corpus == "synthetic"]
    report(
        "Simsamu + ELITR dev (rules written while reading these)",
        [f for f in real if f.split == "dev"],
        configs,
    )
    report(
        "Simsamu held-out (rules frozen before scoring)", [f for f in real if f.split == "heldout"], configs
    )
    all_real = report("All real transcripts", real, configs)
    lowered = report("All real transcripts", real, configs, lower=True)
    all_synthetic = report("Synthetic challenge turns (fr + en)", synthetic, configs)
    report("Synthetic challenge turns (fr + en)", synthetic, configs, lower=True)
    simsamu = sum(f.corpus == "simsamu" for f in real)
    measured = {
        "command": "PYTHONPATH=src python -m bench dataset",
        "real": {
            "transcripts": len(real),
            "description": f"{simsamu} Simsamu simulated French emergency calls and {len(real) - simsamu} "
            "ELITR English project meetings, annotated by the Greffier team",
            "scores": summary(all_real),
            "lower_cased_scores": summary(lowered),
        },
        "synthetic": {
            "turns": sum(len(f.transcript.segments) for f in synthetic),
            "description": "French and English sentences with spoken and written identifiers",
            "scores": summary(all_synthetic),
        },
    }
    path = Path(__file__).resolve().parents[1] / "src" / "greffier" / "dataset" / "pii_eval.json"
    path.write_text(json.dumps(measured, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {path}")
