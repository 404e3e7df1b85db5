"""Speaker diarization on real recordings with human references (../shared/eval).

DER: pyannote.metrics, collar 0.25 s, UEM where given, on the RTTM export; cpWER: meeteval on the
speaker-attributed text. Speaker count unknown unless a test says otherwise. The figures beside
each threshold were measured with the packaged Whisper base + CAM++ (bench/diarize.py prints them).
"""

from __future__ import annotations

import wave
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from bench.common.diarization import CpWer, DerScore, cpwer, der, references
from greffier.audio import SAMPLE_RATE, load_audio
from greffier.diarize import DiarizeOptions, diarize
from greffier.diarize.assign import changed_runs, interjections
from greffier.diarize.timeline import Turn, overwrite
from greffier.errors import OptionsError
from greffier.pipeline import TranscribeOptions, transcribe_file
from greffier.transcript import Transcript, Word
from tests.conftest import eval_file

REFS = {r.name: r for r in references()}


@cache
def diarized(path: Path, language: str | None) -> Transcript:
    return transcribe_file(path, TranscribeOptions(language=language, diarize=True))


@cache
def scores(name: str) -> tuple[DerScore, CpWer, Transcript]:
    ref = REFS[name]
    transcript = diarized(ref.audio, ref.language)
    return der(ref, transcript), cpwer(ref, transcript), transcript


def assert_well_formed(t: Transcript) -> None:
    ids = [s.id for s in t.speakers]
    assert ids == [f"SPEAKER_{i:02d}" for i in range(len(ids))]
    for segment in t.segments:
        assert segment.speaker in ids
        assert {w.speaker for w in segment.words} == {segment.speaker}, "a segment never mixes speakers"
    assert [s.id for s in t.segments] == list(range(len(t.segments)))
    assert {s.speaker for s in t.segments} == set(ids), "every listed speaker speaks"


@pytest.mark.parametrize(
    ("name", "max_der", "max_cpwer", "speakers"),
    [
        # DER is scored on the diarizer's own turns (the RTTM export), so Whisper's run-to-run changes on
        # this 8 kHz call (406-524 words) mostly move cpWER (64-74 %); measured DER 34.3 % (missed 13.4 s,
        # false alarm 14.3 s, mostly speech the reference leaves unannotated, confusion 22.2 s, 12 s of it
        # a turn the reference gives the wrong party: bench/common/reference_audit.py)
        ("edf8k", 0.40, 0.80, (2, 2)),
        # 3 speakers, one of them 0.16 s; measured 26.6 %, all of it confusion (1 speaker found). cpWER
        # depends on the CPU's CTranslate2 kernels (the same on one machine run after run, busy or not,
        # on 1 or 2 threads): 1.024 with MKL on AVX-512 (Intel), 1.049 oneDNN AVX-512, 1.098 MKL AVX2,
        # 1.122 oneDNN AVX2 (what an AMD EPYC gets); 92 errors for 82 words at most
        ("tcof2channels", 0.31, 1.15, (1, 3)),
        # measured 10.1 %, cpWER 19.0 %
        ("sample", 0.14, 0.28, (2, 2)),
    ],
)
def test_der_and_cpwer_per_file(name: str, max_der: float, max_cpwer: float, speakers: tuple[int, int]):
    d, c, transcript = scores(name)
    assert d.rate <= max_der, (
        f"{name}: DER {d.rate:.3f} (missed {d.missed:.1f}, fa {d.false_alarm:.1f}, conf {d.confusion:.1f})"
    )
    assert c.rate <= max_cpwer, f"{name}: cpWER {c.rate:.3f}"
    assert speakers[0] <= len(transcript.speakers) <= speakers[1]
    assert_well_formed(transcript)


def test_der_overall():
    total = DerScore(0, 0, 0, 0)
    for name in REFS:
        total += scores(name)[0]
    # measured 31.0 % (python -m bench diarize, which diarizes the pipeline's 16-bit samples as here)
    assert total.rate <= 0.33, f"overall DER {total.rate:.3f}"


def test_der_overall_on_the_audited_references():
    # the references with their silent pauses cut out and three edf8k turns relabelled by pitch
    # (tests/test_reference_audit.py checks the audit); measured 22.2 %
    audited = {r.name: r for r in references(audited=True)}
    total = DerScore(0, 0, 0, 0)
    for name, ref in audited.items():
        total += der(ref, scores(name)[2])
    assert total.rate <= 0.26, f"overall DER on the audited references {total.rate:.3f}"


@pytest.mark.parametrize(
    ("clip", "language"),
    [
        # 11 of the 13 one-speaker recordings of ../shared/eval give one speaker; tcof13bits.wav and
        # SPPAS SR_track_631.wav give two (their two clusters' centroids: cosine 0.81 and 0.70).
        ("sppas-samples/samples/samples-fra/F_F_B003-P8.wav", "fr"),
        ("sppas-samples/samples/samples-eng/oriana1.wav", "en"),
        ("faster-whisper/tests/data/jfk.flac", "en"),
    ],
)
def test_one_speaker_recordings_have_one_speaker(clip: str, language: str):
    t = diarized(eval_file(clip), language)
    assert len(t.speakers) == 1 and t.words
    assert_well_formed(t)


def test_a_recording_without_speech_has_no_speakers():
    t = diarized(eval_file("whisper-timestamped/tests/data/empty.wav"), None)
    assert t.speakers == () and not t.words


def test_num_speakers_one_on_a_two_speaker_call():
    ref = REFS["sample"]
    t = diarize(load_audio(ref.audio), diarized(ref.audio, ref.language), DiarizeOptions(num_speakers=1))
    assert [s.id for s in t.speakers] == ["SPEAKER_00"]
    assert {w.speaker for w in t.words} == {"SPEAKER_00"}
    assert_well_formed(t)


def test_speaker_bounds_are_honoured():
    ref = REFS["sample"]
    audio, transcript = load_audio(ref.audio), diarized(ref.audio, ref.language)
    assert len(diarize(audio, transcript, DiarizeOptions(min_speakers=3, max_speakers=4)).speakers) >= 3
    assert len(diarize(audio, transcript, DiarizeOptions(num_speakers=3)).speakers) == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_speakers": 5, "max_speakers": 2},
        {"num_speakers": 0},
        {"max_speakers": 0},
        {"num_speakers": 4, "max_speakers": 3},
    ],
)
def test_impossible_speaker_options_are_refused(kwargs):
    with pytest.raises(OptionsError) as err:
        DiarizeOptions(**kwargs)
    assert err.value.fix, "the error says how to fix it"


@pytest.mark.xfail(
    strict=True,
    reason="Whisper base drops Diane's first 'Hello?' (6.68 s; the speaker turns now cover it), and the "
    "1.5-s windows around Sheila's 'Hello?' (7.63 s) and 'Neither did I.' (9.84 s) hear mostly Diane: "
    "both are labelled Diane (measured with the turns-based RTTM, VAD threshold 0.5); a known miss of "
    "issue 3, which is blocked on its DER target",
)
def test_interjection_keeps_its_own_speaker():
    # sample.stm: Diane "Hello?" 6.68, Sheila "Hello?" 7.63, Diane "Oh, hello. I didn't know you were
    # there." 8.44-9.80, Sheila "Neither did I." 9.84. Sheila's short "Hello" sits inside Diane's talk:
    # the 1.5 s windows around it hear mostly Diane; its own embedding says Sheila.
    _, _, t = scores("sample")
    words = t.words
    sheila = next(w for w in words if w.text.lower().startswith("neither")).speaker
    diane = next(w for w in words if w.text.lower().startswith("didn")).speaker
    hello = next(w for w in words if 7.3 < w.start < 8.0 and "hello" in w.text.lower())
    assert sheila != diane
    assert hello.speaker == sheila


def test_interjection_between_two_sentences_keeps_its_own_speaker(tmp_path: Path):
    # Real turns of pyannote sample.wav (sample.stm) put together: Diane talks, Sheila's short "Hello?"
    # comes 0.25 s after Diane's sentence and 0.25 s before Diane goes on, then Sheila talks.
    audio = load_audio(REFS["sample"].audio)

    def cut(start: float, end: float) -> np.ndarray:
        return audio[round(start * SAMPLE_RATE) : round(end * SAMPLE_RATE)]

    def pause(seconds: float) -> np.ndarray:
        return np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)

    diane_1, hello, diane_2 = cut(10.78, 14.18), cut(7.634, 8.155), cut(17.79, 21.48)
    sheila = np.concatenate([cut(14.44, 17.77), pause(0.6), cut(21.94, 28.43)])
    mix = np.concatenate([diane_1, pause(0.25), hello, pause(0.25), diane_2, pause(0.6), sheila])
    path = tmp_path / "interjection.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((mix * 32767).astype(np.int16).tobytes())
    t = transcribe_file(path, TranscribeOptions(language="en", diarize=True))
    hello_at = (len(diane_1) / SAMPLE_RATE + 0.25, (len(diane_1) + len(hello)) / SAMPLE_RATE + 0.25)
    said_hello = {w.speaker for w in t.words if w.start < hello_at[1] and w.end > hello_at[0]}
    diane = {w.speaker for w in t.words if w.text.strip(".,").lower() in {"diane", "jersey", "beep"}}
    sheila_ = {w.speaker for w in t.words if w.text.strip(".,").lower() in {"sheila", "texas", "yankee"}}
    assert len(diane) == 1 and len(sheila_) == 1 and diane != sheila_, t.text
    assert said_hello == sheila_, [(w.text, w.start, w.speaker) for w in t.words]
    assert_well_formed(t)


def test_interjection_candidates_are_short_runs_between_pauses_inside_one_speaker():
    def word(start: float, end: float) -> Word:
        return Word(start, end, "w")

    words = [word(0.0, 0.5), word(0.5, 1.0), word(1.3, 1.6), word(1.9, 2.4), word(2.4, 4.0), word(4.3, 4.6)]
    assert interjections(words, ["0"] * 6) == [(2, 3)]  # the run 1.3-1.6 between pauses
    assert interjections(words, ["0", "0", "0", "1", "1", "1"]) == [], (
        "at a speaker change it is not an interjection"
    )
    long_run = [word(0.0, 0.5), word(0.8, 2.5), word(2.8, 3.0)]
    assert interjections(long_run, ["0"] * 3) == [], "1.7 s is a turn, not an interjection"


def test_turns_cover_speech_the_recogniser_has_no_words_for():
    # sample.stm: Diane "Hello?" 6.69-7.12; Whisper base gives no word there, the speaker turns do
    _, _, t = scores("sample")
    assert not any(w.start < 7.12 and w.end > 6.69 for w in t.words), "the recogniser still drops it"
    covered = sum(max(0.0, min(7.12, u.end) - max(6.69, u.start)) for u in t.turns)
    assert covered >= 0.3
    assert {u.speaker for u in t.turns} == {s.id for s in t.speakers}
    assert all(a.end <= b.start + 1e-6 for a, b in zip(t.turns, t.turns[1:], strict=False))


def test_overwrite_gives_a_span_to_a_speaker_and_joins_neighbours():
    turns = [Turn(0.0, 4.0, "0"), Turn(4.5, 6.0, "1")]
    assert overwrite(turns, 1.0, 2.0, "1") == [
        Turn(0.0, 1.0, "0"),
        Turn(1.0, 2.0, "1"),
        Turn(2.0, 4.0, "0"),
        Turn(4.5, 6.0, "1"),
    ]
    assert overwrite(turns, 3.5, 4.0, "1") == [Turn(0.0, 3.5, "0"), Turn(3.5, 6.0, "1")], (
        "joined across 0.5 s"
    )
    assert changed_runs(list("00011"), list("01110")) == [(1, 3), (4, 5)]


def test_stereo_call_channels_are_the_speakers():
    t = transcribe_file(
        eval_file("faster-whisper/tests/data/stereo_diarization.wav"),
        TranscribeOptions(language="en", channels_as_speakers=True),
    )
    assert [s.id for s in t.speakers] == ["SPEAKER_00", "SPEAKER_01"]
    by_speaker = {
        sp.id: " ".join(s.text for s in t.segments if s.speaker == sp.id).lower() for sp in t.speakers
    }
    # DERIVED/references.tsv: left "He began a confused complaint against the wizard, who had vanished
    # behind the curtain on the left."; right "The horizon seems extremely distant."
    assert "wizard" in by_speaker["SPEAKER_00"] and "curtain" in by_speaker["SPEAKER_00"]
    assert "horizon" in by_speaker["SPEAKER_01"] and "distant" in by_speaker["SPEAKER_01"]
    assert "horizon" not in by_speaker["SPEAKER_00"] and "wizard" not in by_speaker["SPEAKER_01"]
    assert all(w.speaker == s.speaker for s in t.segments for w in s.words)


def test_channels_as_speakers_on_a_mono_file_is_refused():
    with pytest.raises(OptionsError, match="stereo"):
        transcribe_file(eval_file("pyannote-sample/sample.wav"), TranscribeOptions(channels_as_speakers=True))


def test_diarization_is_deterministic():
    ref = REFS["sample"]
    audio, transcript = load_audio(ref.audio), diarized(ref.audio, ref.language)
    first = diarize(audio, transcript)
    second = diarize(np.array(audio), transcript)
    assert [w.speaker for w in first.words] == [w.speaker for w in second.words]
