"""Live speaker labels (`greffier.live.speakers`): how well online labelling finds the speakers.

    python -m bench live_speakers

No recogniser here, only the labelling, on real audio: (1) the reference turns of each diarization
reference (ssak edf8k, ssak tcof2channels, pyannote sample) sent as if each were a live final, in
order, scored by DER (collar 0.25 s, UEM where given) beside the baseline where everyone is one
speaker; (2) the speech regions (Silero VAD) of every one-speaker recording of ../shared/eval sent as
finals: how many speakers each gets (1 is right); (3) the time one label takes, per second of final.
Each part is run for a few cosine thresholds around the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from bench.common.diarization import DerScore, DiarizationReference, der, references, rttm_turns
from bench.common.references import EVAL
from greffier.audio import SAMPLE_RATE, load_audio
from greffier.config import get_settings
from greffier.diarize.embed import get_embedder
from greffier.diarize.timeline import regions_of
from greffier.live.speakers import OnlineSpeakers, SpeakerOptions
from greffier.transcript import Segment, Speaker, Transcript

THRESHOLDS = (0.3, 0.4, 0.5, 0.6)


def reference_turns(ref: DiarizationReference) -> list[tuple[float, float]]:
    """The reference's speaker turns, in time order (overlapping turns cut at the next start)."""
    turns = sorted((turn.start, turn.end) for turn in rttm_turns(ref.rttm))
    return [(start, end) for start, end in turns if end > start]


def label_spans(
    path: Path,
    spans: Iterable[tuple[float, float]],
    language: str,
    options: SpeakerOptions = SpeakerOptions(),
) -> tuple[Transcript, float]:
    """Each span labelled as a live final, its audio fed just before; the transcript, and the
    seconds labelling took per second of labelled audio."""
    audio = load_audio(path)
    speakers = OnlineSpeakers(get_embedder(get_settings()), options)
    fed = 0
    segments = []
    labelled = 0.0
    for i, (start, end) in enumerate(spans):
        until = min(len(audio), round(end * SAMPLE_RATE))
        if until > fed:
            speakers.feed(audio[fed:until])
            fed = until
        segments.append(speakers.label(Segment(i, start, end, "")))
        labelled += end - start
    transcript = Transcript(
        language=language,
        duration=len(audio) / SAMPLE_RATE,
        segments=tuple(segments),
        speakers=speakers.speakers,
        source=path.name,
    )
    return transcript, speakers.stats.seconds / max(labelled, 1e-9)


def label_reference_turns(
    ref: DiarizationReference, options: SpeakerOptions = SpeakerOptions()
) -> Transcript:
    return label_spans(ref.audio, reference_turns(ref), ref.language, options)[0]


def label_speech_regions(path: Path, options: SpeakerOptions = SpeakerOptions()) -> Transcript:
    regions = regions_of(load_audio(path))
    return label_spans(path, [(r.start, r.end) for r in regions], "und", options)[0]


def one_speaker_files() -> list[Path]:
    """The one-speaker recordings of ../shared/eval (SPPAS samples, French and English; JFK)."""
    sppas = EVAL / "sppas-samples/samples"
    return [
        *sorted((sppas / "samples-fra").glob("*.wav")),
        *sorted((sppas / "samples-eng").glob("*.wav")),
        EVAL / "faster-whisper/tests/data/jfk.flac",
    ]


def _everyone_one(transcript: Transcript) -> Transcript:
    segments = tuple(replace(s, speaker="SPEAKER_00") for s in transcript.segments)
    return replace(transcript, segments=segments, speakers=(Speaker("SPEAKER_00"),))


def main() -> None:
    refs = references()
    label_reference_turns(refs[-1])  # the model loaded off the clock
    print("reference turns as finals: DER (confusion s), speakers found")
    print(f"{'file':14s} {'one spk':>8s} " + " ".join(f"{f'thr {t}':>16s}" for t in THRESHOLDS))
    totals = {t: DerScore(0, 0, 0, 0) for t in THRESHOLDS}
    baseline = DerScore(0, 0, 0, 0)
    cost = []
    for ref in refs:
        cells = []
        for threshold in THRESHOLDS:
            transcript, per_second = label_spans(
                ref.audio, reference_turns(ref), ref.language, SpeakerOptions(threshold=threshold)
            )
            score = der(ref, transcript)
            totals[threshold] += score
            cost.append(per_second)
            cells.append(f"{score.rate:6.1%} ({score.confusion:4.1f}) {len(transcript.speakers):2d}")
        one = der(ref, _everyone_one(transcript))
        baseline += one
        print(f"{ref.name:14s} {one.rate:8.1%} " + " ".join(f"{c:>16s}" for c in cells))
    print(f"{'overall':14s} {baseline.rate:8.1%} " + " ".join(f"{totals[t].rate:16.1%}" for t in THRESHOLDS))
    print("\none-speaker recordings (speech regions as finals): files with 1 speaker")
    files = one_speaker_files()
    for threshold in THRESHOLDS:
        counts = {
            p.name: len(label_speech_regions(p, SpeakerOptions(threshold=threshold)).speakers) for p in files
        }
        wrong = {name: n for name, n in counts.items() if n != 1}
        print(f"thr {threshold}: {len(files) - len(wrong)}/{len(files)}; more: {wrong}")
    print(
        f"\nlabelling: {sum(cost) / len(cost) * 1000:.0f} ms per second of final (mean over the runs above)"
    )
