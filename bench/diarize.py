"""Speaker diarization: DER and cpWER per file and overall, and the time it adds to transcription.

    python -m bench diarize

For each reference recording (ssak edf8k, ssak tcof2channels, pyannote sample) the same warm process
transcribes it (no diarization), then diarizes that transcript three ways, side by side:
  auto   - Greffier, speaker count unknown (the target: DER <= 15 % overall)
  oracle - Greffier told the true number of speakers
  one    - baseline: everyone is one speaker
DER: pyannote.metrics, collar 0.25 s, UEM where given, on the RTTM export of the transcript, against
the references as given and, for the auto variant, also audited against their audio (silent pauses
cut out of the turns, three edf8k turns relabelled by pitch: bench/common/reference_audit.py). The
audited turns are also scored as if they were a system's output against the given ones: what a
diarizer that agreed with the audio everywhere would score on the references as given.
cpWER: meeteval, on the speaker-attributed text. Time: diarization (auto) over transcription, summed
over the files (the target: at most 20 % on 2 cores); models are loaded off the clock.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench.common.diarization import CpWer, DerScore, cpwer, der, references, rttm_der, rttm_turns
from greffier.audio import PcmBuffer
from greffier.config import get_settings
from greffier.diarize import DiarizeOptions, diarize
from greffier.pipeline import TranscribeOptions, transcribe_file
from greffier.transcript import Speaker, Transcript

VARIANTS = ("auto", "oracle", "one")


def _one_speaker(transcript: Transcript) -> Transcript:
    segments = tuple(
        replace(s, speaker="SPEAKER_00", words=tuple(replace(w, speaker="SPEAKER_00") for w in s.words))
        for s in transcript.segments
    )
    return replace(transcript, segments=segments, speakers=(Speaker("SPEAKER_00"),))


def _pipeline_audio(path: Path) -> np.ndarray:
    """The audio `greffier transcribe --diarize` hands the diarizer: the decoded 16-bit samples. Float
    samples straight from the decoder give other VAD regions on the quiet edf8k call (30.9 % DER
    there, against 36.3 % for the product)."""
    pcm = PcmBuffer.decode(path)
    return pcm.read(0, pcm.num_samples)


def main() -> None:
    settings = get_settings()
    refs = references()
    audited = {ref.name: ref for ref in references(audited=True)}
    warm = refs[-1]
    diarize(
        _pipeline_audio(warm.audio), transcribe_file(warm.audio, TranscribeOptions(language=warm.language))
    )
    print(f"threads {settings.threads}; models loaded before timing")
    header = f"{'file':14s} {'dur':>6s} {'spk':>7s} " + " ".join(
        f"{v + ' DER':>11s} {v + ' cpWER':>11s}" for v in VARIANTS
    )
    print(header + f" {'ASR s':>7s} {'diar s':>7s} {'ratio':>6s}")
    totals_der = dict.fromkeys(VARIANTS, DerScore(0, 0, 0, 0))
    totals_cp = dict.fromkeys(VARIANTS, CpWer(0, 0))
    total_audited = total_floor = DerScore(0, 0, 0, 0)
    asr_seconds = diar_seconds = 0.0
    for ref in refs:
        start = time.perf_counter()
        transcript = transcribe_file(ref.audio, TranscribeOptions(language=ref.language))
        asr = time.perf_counter() - start
        audio = _pipeline_audio(ref.audio)
        start = time.perf_counter()
        auto = diarize(audio, transcript, DiarizeOptions())
        diar = time.perf_counter() - start
        asr_seconds, diar_seconds = asr_seconds + asr, diar_seconds + diar
        count = len({turn.speaker for turn in rttm_turns(ref.rttm)})
        results = {
            "auto": auto,
            "oracle": diarize(audio, transcript, DiarizeOptions(num_speakers=count)),
            "one": _one_speaker(transcript),
        }
        cells = []
        for variant, result in results.items():
            d, c = der(ref, result), cpwer(ref, result)
            totals_der[variant] += d
            totals_cp[variant] += c
            cells.append(f"{100 * d.rate:10.1f}% {100 * c.rate:10.1f}%")
        print(
            f"{ref.name:14s} {transcript.duration:6.1f} {len(auto.speakers):>3d}/{count:<3d} "
            + " ".join(cells)
            + f" {asr:7.1f} {diar:7.1f} {diar / asr:6.3f}"
        )
        for label, reference in (("given", ref), ("audited", audited[ref.name])):
            d = der(reference, auto)
            if label == "audited":
                total_audited += d
            print(
                f"{'':14s} auto DER, {label} reference: {100 * d.rate:.1f}%: missed {d.missed:.1f} s, "
                f"false alarm {d.false_alarm:.1f} s, confusion {d.confusion:.1f} s of {d.total:.1f} s"
            )
        floor = rttm_der(ref, audited[ref.name].rttm)
        total_floor += floor
        print(f"{'':14s} the audited reference itself, scored on the given one: {100 * floor.rate:.1f}%")
    print(
        f"{'overall':14s} {'':6s} {'':7s} "
        + " ".join(f"{100 * totals_der[v].rate:10.1f}% {100 * totals_cp[v].rate:10.1f}%" for v in VARIANTS)
        + f" {asr_seconds:7.1f} {diar_seconds:7.1f} {diar_seconds / asr_seconds:6.3f}"
    )
    print(
        f"targets: DER (auto) {100 * totals_der['auto'].rate:.1f}% "
        f"(audited reference: {100 * total_audited.rate:.1f}%) (<= 15%; the audited reference itself "
        f"scores {100 * total_floor.rate:.1f}% on the given one), "
        f"diarization adds {100 * diar_seconds / asr_seconds:.1f}% to transcription time (<= 20%)"
    )


if __name__ == "__main__":
    main()
