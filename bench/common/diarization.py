"""Speaker-diarization references of ../shared/eval and their scores: DER (pyannote.metrics, collar
0.25 s, the UEM where one is given) on the transcript's RTTM export, and cpWER (meeteval) on its
speaker-attributed text, both with the text normalisation of every other WER here. Each reference
comes as given or audited against its audio (bench/common/reference_audit.py)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bench.common.references import EVAL
from bench.common.text import normalise
from greffier.export import render
from greffier.transcript import Transcript

COLLAR = 0.25


@dataclass(frozen=True)
class DiarizationReference:
    name: str
    """The file id used in the RTTM/STM references."""
    audio: Path
    language: str
    rttm: str
    """The reference turns (RTTM text)."""
    stm: str
    uem: str | None


@dataclass(frozen=True)
class RttmTurn:
    recording: str
    start: float
    end: float
    speaker: str


def rttm_turns(text: str) -> list[RttmTurn]:
    """The SPEAKER lines of an RTTM text."""
    out = []
    for fields in (line.split() for line in text.splitlines()):
        if fields and fields[0] == "SPEAKER":
            start = float(fields[3])
            out.append(RttmTurn(fields[1], start, start + float(fields[4]), fields[7]))
    return out


def _reference(name: str, audio: Path, language: str, folder: Path, with_uem: bool) -> DiarizationReference:
    def text(suffix: str) -> str:
        return (folder / f"{name}.{suffix}").read_text(encoding="utf-8")

    return DiarizationReference(
        name, audio, language, text("rttm"), text("stm"), text("uem") if with_uem else None
    )


def references(*, audited: bool = False) -> list[DiarizationReference]:
    """ssak edf8k (2 speakers, 8 kHz phone call), ssak tcof2channels (3), pyannote sample (2); with
    `audited`, their turns relabelled and cut where the audio contradicts them (reference_audit)."""
    ssak, pyannote = EVAL / "linto-ssak", EVAL / "pyannote-sample"
    out = [
        _reference("edf8k", ssak / "tests/data/audio/edf8k.mp3", "fr", ssak / "DERIVED", True),
        _reference(
            "tcof2channels", ssak / "tests/data/audio/tcof2channels.wav", "fr", ssak / "DERIVED", True
        ),
        _reference("sample", pyannote / "sample.wav", "en", pyannote, False),
    ]
    if not audited:
        return out
    from bench.common.reference_audit import audited_rttm, audited_stm
    from greffier.audio import load_audio

    return [
        replace(ref, rttm=audited_rttm(ref.rttm, load_audio(ref.audio)), stm=audited_stm(ref.stm))
        for ref in out
    ]


@dataclass(frozen=True)
class DerScore:
    missed: float
    false_alarm: float
    confusion: float
    total: float
    """Seconds of reference speech scored."""

    @property
    def rate(self) -> float:
        return (self.missed + self.false_alarm + self.confusion) / self.total if self.total else 0.0

    def __add__(self, other: DerScore) -> DerScore:
        return DerScore(
            self.missed + other.missed,
            self.false_alarm + other.false_alarm,
            self.confusion + other.confusion,
            self.total + other.total,
        )


def _annotation(rttm_text: str):
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for i, turn in enumerate(rttm_turns(rttm_text)):
        annotation[Segment(turn.start, turn.end), i] = turn.speaker
    return annotation


def der(ref: DiarizationReference, transcript: Transcript) -> DerScore:
    """DER of the transcript's RTTM export against the reference turns."""
    return rttm_der(ref, str(render(transcript, "rttm")), transcript.duration)


def rttm_der(ref: DiarizationReference, hypothesis_rttm: str, duration: float = 0.0) -> DerScore:
    """DER of hypothesis turns (RTTM text) against the reference turns, scored on the reference's UEM
    (else from 0 to the end of the recording, `duration`, or of the last turn)."""
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference = _annotation(ref.rttm)
    hypothesis = _annotation(hypothesis_rttm)
    if ref.uem is not None:
        uem = Timeline(
            [Segment(float(f[2]), float(f[3])) for f in (line.split() for line in ref.uem.splitlines()) if f]
        )
    else:
        uem = Timeline([Segment(0.0, max(duration, reference.get_timeline().extent().end))])
    detail = DiarizationErrorRate(collar=COLLAR, skip_overlap=False)(
        reference, hypothesis, uem=uem, detailed=True
    )
    return DerScore(detail["missed detection"], detail["false alarm"], detail["confusion"], detail["total"])


@dataclass(frozen=True)
class CpWer:
    errors: int
    length: int

    @property
    def rate(self) -> float:
        return self.errors / self.length if self.length else 0.0

    def __add__(self, other: CpWer) -> CpWer:
        return CpWer(self.errors + other.errors, self.length + other.length)


def cpwer(ref: DiarizationReference, transcript: Transcript) -> CpWer:
    """Concatenated minimum-permutation WER: each speaker's words, best speaker mapping."""
    import meeteval
    from meeteval.io import STM, SegLST

    reference = (
        STM.parse(ref.stm).to_seglst().map(lambda s: {**s, "words": normalise(s["words"], ref.language)})
    )
    hypothesis = SegLST(
        [
            {
                "session_id": ref.name,
                "speaker": s.speaker or "none",
                "start_time": s.start,
                "end_time": s.end,
                "words": normalise(s.text, ref.language),
            }
            for s in transcript.segments
        ]
    )
    result = meeteval.wer.cpwer(reference, hypothesis)[ref.name]
    return CpWer(result.errors, result.length)
