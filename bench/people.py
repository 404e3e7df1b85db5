"""Speaker identification (`greffier.people`): people enrolled in one excerpt, found in the others.

    python -m bench people

On ami-debug-train (ten 30-s AMI excerpts; speakers recur across excerpts of one meeting, RTTM gives
the true turns). Every speaker with at least 10 s of speech alone in some excerpt is enrolled from the
excerpt where they speak most (one print each, as `greffier people enrol` makes it); every excerpt is
then identified against all prints (one-to-one, `people.identify`), and scored on the 10-ms frames of
the RTTM:
- accuracy: the share of the enrolled speakers' speech time, outside the excerpt they were enrolled
  from, where a speaker carrying their name is active;
- false acceptance: the share of the time a never-enrolled person talks (no enrolled one at the same
  time) where an active speaker carries someone's name. Speakers who never have 10 s are never
  enrolled; each enrollable speaker who recurs is held out in turn as well (one round each, scores
  summed over the rounds), so that people with a long voice are tested as strangers too.
Two ways: the reference turns as speakers (the voiceprints alone), and Greffier's own meeting
diarization (`diarize.meeting`, count unknown; a speaker is enrolled from the found speaker that
overlaps them most, as a user picks it after listening). Printed: the curve per threshold, the
chosen threshold (the lowest of the grid whose false acceptance is at most FA_TARGET on reference turns),
and the time of one search in 10,000 prints.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common.diarization import rttm_turns
from bench.common.references import EVAL
from greffier.audio import load_audio
from greffier.config import get_settings
from greffier.diarize.embed import SpeakerEmbedder, get_embedder
from greffier.diarize.meeting import meeting_speakers
from greffier.diarize.options import DiarizeOptions
from greffier.diarize.segmentation import get_segmenter
from greffier.people.identify import THRESHOLD, PrintIndex, identify
from greffier.people.voiceprint import MIN_SPEECH_S, normalised, seconds_of, speech_of, voiceprint
from greffier.transcript import Speaker, SpeakerTurn, Transcript

AMI = EVAL / "ami-debug-train"
FRAME_S = 0.01
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.20, 0.96, 0.05))
FA_TARGET = 0.02
SEARCH_PRINTS = 10_000


@dataclass(frozen=True)
class Excerpt:
    name: str
    audio: np.ndarray
    truth: Transcript
    """The RTTM turns as a transcript (speakers: the AMI ids)."""
    found: Transcript
    """The speakers as found: the reference turns again, or Greffier's diarization."""

    def voices(self, embedder: SpeakerEmbedder) -> dict[str, np.ndarray]:
        out = {}
        for sp in self.found.speakers:
            voice = voiceprint(self.audio, speech_of(self.found, sp.id), embedder)
            if voice is not None:
                out[sp.id] = voice
        return out


def _as_transcript(turns: list[SpeakerTurn], duration: float) -> Transcript:
    speakers = tuple(Speaker(s) for s in sorted({t.speaker for t in turns}))
    return Transcript("en", duration, speakers=speakers, turns=tuple(sorted(turns, key=lambda t: t.start)))


def truth_of(name: str, duration: float) -> Transcript:
    rttm = (AMI / "debug.train.rttm").read_text(encoding="utf-8")
    turns = [SpeakerTurn(t.start, t.end, t.speaker) for t in rttm_turns(rttm) if t.recording == name]
    return _as_transcript(turns, duration)


def excerpts(diarized: bool, embedder: SpeakerEmbedder) -> list[Excerpt]:
    segmenter = get_segmenter(get_settings()) if diarized else None
    out = []
    for path in sorted(AMI.glob("trn*.wav")):
        audio = load_audio(Path(path))
        truth = truth_of(path.stem, len(audio) / 16000)
        found = truth
        if segmenter is not None:
            speakers = meeting_speakers(audio, DiarizeOptions(), embedder, segmenter)
            turns = (
                [SpeakerTurn(t.start, t.end, f"SPEAKER_{t.speaker:02d}") for t in speakers.turns]
                if speakers
                else []
            )
            found = _as_transcript(turns, truth.duration)
        out.append(Excerpt(path.stem, audio, truth, found))
    return out


def _overlap(a: Transcript, a_speaker: str, b: Transcript, b_speaker: str) -> float:
    total = 0.0
    for s in (t for t in a.turns if t.speaker == a_speaker):
        for o in (t for t in b.turns if t.speaker == b_speaker):
            total += max(0.0, min(s.end, o.end) - max(s.start, o.start))
    return total


@dataclass(frozen=True)
class Enrolment:
    person: str
    excerpt: str
    speaker: str
    """The found speaker enrolled (the person's own id with reference turns)."""
    vector: np.ndarray


def owner(item: Excerpt, speaker: str) -> str:
    """The true speaker a found speaker mostly is."""
    return max(
        (sp.id for sp in item.truth.speakers), key=lambda p: _overlap(item.truth, p, item.found, speaker)
    )


def enrolments(items: list[Excerpt], voices: dict[str, dict[str, np.ndarray]]) -> dict[str, Enrolment]:
    """Per true speaker, of the found speakers that are mostly them, the one with most solo speech
    over MIN_SPEECH_S."""
    best: dict[str, tuple[float, Enrolment]] = {}
    for item in items:
        for speaker in (sp.id for sp in item.found.speakers if sp.id in voices[item.name]):
            person = owner(item, speaker)
            seconds = seconds_of(speech_of(item.found, speaker))
            if seconds >= MIN_SPEECH_S and seconds > best.get(person, (0.0, None))[0]:
                best[person] = (seconds, Enrolment(person, item.name, speaker, voices[item.name][speaker]))
    return {person: enrolment for person, (_, enrolment) in best.items()}


def _frames(transcript: Transcript, speaker: str) -> np.ndarray:
    active = np.zeros(round(transcript.duration / FRAME_S) + 1, bool)
    for t in (t for t in transcript.turns if t.speaker == speaker):
        active[round(t.start / FRAME_S) : round(t.end / FRAME_S)] = True
    return active


@dataclass
class Curve:
    """Per threshold: seconds right / of enrolled speech, seconds accepted / of strangers' speech."""

    right: np.ndarray
    enrolled: float
    accepted: np.ndarray
    strangers: float

    def accuracy(self, i: int) -> float:
        return float(self.right[i] / self.enrolled) if self.enrolled else 0.0

    def false_acceptance(self, i: int) -> float:
        return float(self.accepted[i] / self.strangers) if self.strangers else 0.0


def score(
    items: list[Excerpt], voices: dict[str, dict[str, np.ndarray]], enrolled: dict[str, Enrolment]
) -> Curve:
    """The identification curve of one round: the people of `enrolled` have prints, nobody else."""
    index = PrintIndex([(e.person, e.person, e.vector) for e in enrolled.values()])
    curve = Curve(np.zeros(len(THRESHOLDS)), 0.0, np.zeros(len(THRESHOLDS)), 0.0)
    for item in items:
        matches = identify(voices[item.name], index, threshold=-1.0)
        truth = {sp.id: _frames(item.truth, sp.id) for sp in item.truth.speakers}
        found = {sp.id: _frames(item.found, sp.id) for sp in item.found.speakers}
        n = min(len(next(iter(truth.values()))), *(len(f) for f in found.values())) if found else 0
        known = [p for p in truth if p in enrolled and enrolled[p].excerpt != item.name]
        enrolled_here = [p for p in truth if p in enrolled]
        strangers = [p for p in truth if p not in enrolled]
        anyone_enrolled = np.zeros(n, bool)
        for p in enrolled_here:
            anyone_enrolled |= truth[p][:n]
        stranger_alone = np.zeros(n, bool)
        for p in strangers:
            stranger_alone |= truth[p][:n]
        stranger_alone &= ~anyone_enrolled
        curve.enrolled += sum(truth[p][:n].sum() for p in known) * FRAME_S
        curve.strangers += stranger_alone.sum() * FRAME_S
        for i, threshold in enumerate(THRESHOLDS):
            named: dict[str, np.ndarray] = {}
            for speaker, match in matches.items():
                if match.score >= threshold:
                    named[match.person_id] = (
                        named.get(match.person_id, np.zeros(n, bool)) | found[speaker][:n]
                    )
            anyone_named = np.zeros(n, bool)
            for frames in named.values():
                anyone_named |= frames
            curve.right[i] += sum((truth[p][:n] & named[p]).sum() for p in known if p in named) * FRAME_S
            curve.accepted[i] += (stranger_alone & anyone_named).sum() * FRAME_S
    return curve


def rounds(
    items: list[Excerpt], voices: dict[str, dict[str, np.ndarray]]
) -> tuple[Curve, dict[str, Enrolment]]:
    """All enrollable people enrolled, then each recurring one held out in turn; the curves summed."""
    enrolled = enrolments(items, voices)
    appears = defaultdict(set)
    for item in items:
        for sp in item.truth.speakers:
            appears[sp.id].add(item.name)
    recurring = [p for p in sorted(enrolled) if len(appears[p]) > 1]
    total = score(items, voices, enrolled)
    for held in recurring:
        one = score(items, voices, {p: e for p, e in enrolled.items() if p != held})
        total.right += one.right
        total.enrolled += one.enrolled
        total.accepted += one.accepted
        total.strangers += one.strangers
    return total, enrolled


def search_time() -> float:
    """Median seconds of identifying 8 voices among SEARCH_PRINTS prints of 5,000 people."""
    rng = np.random.default_rng(0)
    prints = [
        (f"p{i // 2:05d}", f"person {i // 2}", normalised(rng.normal(size=192))) for i in range(SEARCH_PRINTS)
    ]
    index = PrintIndex(prints)
    voices = {f"SPEAKER_{i:02d}": normalised(rng.normal(size=192)) for i in range(8)}
    times = []
    for _ in range(50):
        start = time.perf_counter()
        identify(voices, index)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def chosen(curve: Curve) -> int:
    """The lowest threshold of the grid whose false acceptance is at most FA_TARGET on reference
    turns (the voiceprints alone: end to end, a stranger's speech that diarization merges into an
    enrolled speaker is accepted at any threshold)."""
    for i in range(len(THRESHOLDS)):
        if curve.false_acceptance(i) <= FA_TARGET:
            return i
    return len(THRESHOLDS) - 1


def run(diarized: bool, embedder: SpeakerEmbedder) -> Curve:
    label = "Greffier's diarization" if diarized else "reference turns"
    items = excerpts(diarized, embedder)
    voices = {item.name: item.voices(embedder) for item in items}
    curve, enrolled = rounds(items, voices)
    print(f"\n-- {label}: enrolled {', '.join(f'{p} ({e.excerpt})' for p, e in sorted(enrolled.items()))}")
    print(
        f"   scored over the rounds: {curve.enrolled:.1f} s of enrolled speech, {curve.strangers:.1f} s of strangers'"
    )
    print(f"   {'threshold':>9s} {'accuracy':>9s} {'false acc.':>10s}")
    for i, threshold in enumerate(THRESHOLDS):
        mark = " <- people.identify.THRESHOLD" if abs(threshold - THRESHOLD) < 1e-9 else ""
        print(
            f"   {threshold:9.2f} {100 * curve.accuracy(i):8.1f}% {100 * curve.false_acceptance(i):9.1f}%{mark}"
        )
    return curve


def main() -> None:
    embedder = get_embedder(get_settings())
    curves = [run(False, embedder), run(True, embedder)]
    best = chosen(curves[0])
    at = THRESHOLDS.index(round(THRESHOLD, 2))
    print(
        f"\nlowest threshold with false acceptance <= {100 * FA_TARGET:.0f}% on reference turns: {THRESHOLDS[best]:.2f}; "
        f"at the threshold in use ({THRESHOLD:.2f}): reference turns {100 * curves[0].accuracy(at):.1f}% / "
        f"{100 * curves[0].false_acceptance(at):.1f}% FA, end to end {100 * curves[1].accuracy(at):.1f}% / "
        f"{100 * curves[1].false_acceptance(at):.1f}% FA"
    )
    print(
        f"search of {SEARCH_PRINTS:,} prints (8 voices, one-to-one): {1000 * search_time():.2f} ms (median of 50)"
    )


if __name__ == "__main__":
    main()
