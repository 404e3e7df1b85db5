"""Speaker diarization: DER, speaker counts, missed speech, flips, time and memory, per file and overall.

    python -m bench diarize

Two sets side by side: the ten 30-s AMI meeting excerpts of ami-debug-train (3-4 speakers, overlap,
headset mix; wideband, so the segmentation path) and the three earlier references (ssak edf8k,
ssak tcof2channels, the pyannote sample; all three telephone-band, so the windowed path). Each file is
transcribed twice in the same warm process: without diarization (the baseline), then as
`greffier transcribe --diarize` does (speaker count unknown). Printed per file: the speech level
before normalisation, speakers found / true, DER (pyannote.metrics, collar 0.25 s, UEM where given,
on the RTTM export) with missed / false alarm / confusion in seconds, missed speech as a share of
the reference speech, flips (one-word runs given to another speaker inside a sentence), and the
time `--diarize` adds over the baseline. The earlier references are also scored against their
audited turns (bench/common/reference_audit.py). Peak RSS is the process's, at the end.
First, per AMI excerpt, the seconds each reference speaker is heard alone: a count made from voice
embeddings cannot find a voice never heard alone, so this bounds the counts any such diarizer reaches.
"""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass, field

import numpy as np

from bench.common.diarization import DerScore, DiarizationReference, der, references, rttm_turns
from bench.common.references import EVAL
from greffier.diarize.meeting import MIN_CLEAN_S
from greffier.pipeline import TranscribeOptions, transcribe_file
from greffier.transcript import Transcript

AMI = EVAL / "ami-debug-train"
FLIP_PAUSE_S = 0.5
"""A one-word run is inside a sentence when the pauses on both sides are shorter than this."""
GRID_S = 0.01


def alone_seconds(ref: DiarizationReference) -> dict[str, float]:
    """Seconds each reference speaker is heard with nobody else speaking (on a 10-ms grid)."""
    turns = rttm_turns(ref.rttm)
    frames = int(max(t.end for t in turns) / GRID_S) + 1
    talking = {t.speaker: np.zeros(frames, bool) for t in turns}
    for t in turns:
        talking[t.speaker][int(t.start / GRID_S) : int(t.end / GRID_S)] = True
    heard = np.sum(list(talking.values()), axis=0)
    return {k: float(np.sum(v & (heard == 1)) * GRID_S) for k, v in talking.items()}


def solo_ceiling(refs: list[DiarizationReference]) -> None:
    """The counts a diarizer could get right if it found every voice heard alone for MIN_CLEAN_S
    (the least the meeting path embeds cleanly): a ceiling for counting by voice embeddings."""
    right = 0
    for ref in refs:
        alone = alone_seconds(ref)
        countable = sum(s >= MIN_CLEAN_S for s in alone.values())
        right += countable == len(alone)
        cells = ", ".join(f"{k} {s:.1f}" for k, s in sorted(alone.items(), key=lambda kv: -kv[1]))
        print(f"{ref.name:14s} heard alone (s): {cells}; countable {countable}/{len(alone)}")
    print(f"a count by voices heard alone >= {MIN_CLEAN_S} s is right in at most {right} of {len(refs)}")


def ami_references() -> list[DiarizationReference]:
    """The ten ami-debug-train excerpts, their turns and UEM cut out of the shared files."""
    rttm = (AMI / "debug.train.rttm").read_text(encoding="utf-8").splitlines()
    uem = (AMI / "debug.train.uem").read_text(encoding="utf-8").splitlines()
    names = sorted({line.split()[1] for line in rttm})  # (the .lst still spells trn00 upstream's trñ00)
    return [
        DiarizationReference(
            name,
            AMI / f"{name}.wav",
            "en",
            "\n".join(line for line in rttm if line.split()[1] == name),
            "",
            "\n".join(line for line in uem if line.split()[0] == name),
        )
        for name in names
    ]


def flips(transcript: Transcript) -> int:
    """One-word runs of a speaker between two runs of one other speaker, with short pauses around."""
    words = transcript.words
    count = 0
    for i in range(1, len(words) - 1):
        before, word, after = words[i - 1], words[i], words[i + 1]
        if (
            before.speaker == after.speaker != word.speaker
            and word.start - before.end < FLIP_PAUSE_S
            and after.start - word.end < FLIP_PAUSE_S
        ):
            count += 1
    return count


@dataclass
class Totals:
    der: DerScore = field(default_factory=lambda: DerScore(0, 0, 0, 0))
    counts_right: int = 0
    files: int = 0
    flips: int = 0
    baseline_s: float = 0.0
    diarized_s: float = 0.0


def _row(ref: DiarizationReference, totals: Totals, audited: DiarizationReference | None) -> None:
    start = time.perf_counter()
    transcribe_file(ref.audio, TranscribeOptions(language=ref.language))
    baseline = time.perf_counter() - start
    start = time.perf_counter()
    t = transcribe_file(ref.audio, TranscribeOptions(language=ref.language, diarize=True))
    diarized = time.perf_counter() - start
    d = der(ref, t)
    true = len({turn.speaker for turn in rttm_turns(ref.rttm)})
    found, flipped = len(t.speakers), flips(t)
    totals.der += d
    totals.counts_right += found == true
    totals.files += 1
    totals.flips += flipped
    totals.baseline_s += baseline
    totals.diarized_s += diarized
    level = t.metadata.get("level_dbfs")
    print(
        f"{ref.name:14s} {t.duration:6.1f} {level!s:>6s} {found:>3d}/{true:<3d} {100 * d.rate:6.1f}% "
        f"{d.missed:6.1f} {d.false_alarm:6.1f} {d.confusion:6.1f} {d.total:6.1f} "
        f"{100 * d.missed / d.total if d.total else 0:6.1f}% {flipped:5d} {len(t.words):5d} "
        f"{baseline:7.1f} {diarized:7.1f} {diarized / baseline - 1:+6.0%}"
    )
    if audited is not None:
        a = der(audited, t)
        print(
            f"{'':14s} audited reference: DER {100 * a.rate:.1f}%, missed {a.missed:.1f} s, "
            f"false alarm {a.false_alarm:.1f} s, confusion {a.confusion:.1f} s of {a.total:.1f} s"
        )


def _overall(label: str, totals: Totals) -> None:
    d = totals.der
    print(
        f"{label}: DER {100 * d.rate:.1f}% (missed {d.missed:.1f} s, false alarm {d.false_alarm:.1f} s, "
        f"confusion {d.confusion:.1f} s of {d.total:.1f} s; missed speech {100 * d.missed / d.total:.1f}%), "
        f"speaker count right in {totals.counts_right} of {totals.files}, {totals.flips} flips, "
        f"--diarize adds {totals.diarized_s / totals.baseline_s - 1:+.0%} to transcription time"
    )


def main() -> None:
    warm = references()[-1]
    transcribe_file(warm.audio, TranscribeOptions(language=warm.language, diarize=True))
    transcribe_file(AMI / "trn00.wav", TranscribeOptions(language="en", diarize=True))
    print("models loaded before timing")
    print(
        f"{'file':14s} {'dur':>6s} {'dBFS':>6s} {'spk':>7s} {'DER':>7s} {'miss':>6s} {'fa':>6s} "
        f"{'conf':>6s} {'of':>6s} {'missed':>7s} {'flips':>5s} {'words':>5s} {'ASR s':>7s} "
        f"{'diar s':>7s} {'added':>6s}"
    )
    sets = {"ami-debug-train": Totals(), "earlier references": Totals()}
    solo_ceiling(ami_references())
    for ref in ami_references():
        _row(ref, sets["ami-debug-train"], None)
    audited = {ref.name: ref for ref in references(audited=True)}
    for ref in references():
        _row(ref, sets["earlier references"], audited[ref.name])
    for label, totals in sets.items():
        _overall(label, totals)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the bench process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
