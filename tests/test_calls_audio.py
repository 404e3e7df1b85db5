"""Emergency calls end to end from audio: synthesised gold calls -> live path -> case form, scored on the gold.

Three gold calls of tests/data/calls (the shortest with red flags; 4.1 min of audio, 4.5 min of
Kokoro on 2 shared cores the first time, then cached: bench/common/synth.py) are streamed through
the product's live call path (a real `greffier serve`'s `/ws/call`, faster than real time): its own form, from
finals without speakers (`live`), and beside it each final read by `extract.update` as it arrives
with the speakers of the synthesised turns (`turns`: what live speaker labels will give;
bench/common/call_driver.py). The forms are scored with the same
code as the text path (`bench.calls.add_call`). Thresholds sit under the figures measured here, given
beside them; `python -m bench calls_audio` prints them for more calls, with the red-flag latency at
real-time pace.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from scipy.signal import welch

from bench.calls import Report, add_call, gold_calls, transcript_for
from bench.common import synth
from bench.common.call_driver import LIVE, CallRun, TurnLabels, drive, served_calls
from bench.common.text import corpus_wer
from greffier.audio import SAMPLE_RATE, load_audio
from greffier.pipeline import TranscribeOptions, transcribe_file

pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

CALLS = ("dj_mai_sdf_coma", "dj_mai_enfant_pendu", "dj_2022_msn")
GOLD = {d["call"]: d for d in gold_calls() if d["call"] in CALLS}


@pytest.fixture(scope="module")
def calls() -> dict[str, synth.SynthCall]:
    return {name: synth.synthesise(transcript_for(GOLD[name]), name) for name in CALLS}


@pytest.fixture(scope="module")
def runs(calls) -> dict[str, CallRun]:
    async def all_calls(transport) -> dict[str, CallRun]:
        return {
            name: await drive(call.audio, transport, {"turns": TurnLabels(call.turns)}, call_id=name)
            for name, call in calls.items()
        }

    with served_calls() as transport:  # a real `greffier serve` and its /ws/call
        return asyncio.run(all_calls(transport))


def report_for(runs: dict[str, CallRun], labels: str) -> Report:
    report = Report()
    for name, run in runs.items():
        add_call(report, GOLD[name], run.tracks[labels].form)
    return report


def test_synthesised_calls_follow_the_transcript(calls) -> None:
    for name, call in calls.items():
        segments = [s for s in transcript_for(GOLD[name]).segments if synth.spoken(s.text)]
        assert [t.segment_id for t in call.turns] == [s.id for s in segments]
        assert [t.role == "regulator" for t in call.turns] == [s.speaker == "medecin" for s in segments]
        for before, after in zip(call.turns, call.turns[1:], strict=False):
            assert after.start - before.end == pytest.approx(synth.GAP_S, abs=0.002)
        for turn in call.turns:
            assert turn.sentences[0].start == turn.start and turn.sentences[-1].end == turn.end
        samples = load_audio(call.audio)
        assert len(samples) / SAMPLE_RATE == pytest.approx(call.turns[-1].end, abs=0.01)
        assert synth.load_call(call.audio.with_suffix(".json")) == call  # the cache gives the same call back


def _low_band_share(samples: np.ndarray) -> float:
    freqs, power = welch(samples, SAMPLE_RATE, nperseg=1024)
    return float(power[freqs < 250].sum() / power.sum())


def test_the_caller_sounds_like_a_phone_line(calls) -> None:
    call = calls["dj_2022_msn"]
    samples = load_audio(call.audio)

    def voice(role: str) -> np.ndarray:
        cut = [
            samples[round(t.start * SAMPLE_RATE) : round(t.end * SAMPLE_RATE)]
            for t in call.turns
            if t.role == role
        ]
        return np.concatenate(cut)

    caller, regulator = _low_band_share(voice("caller")), _low_band_share(voice("regulator"))
    assert caller < 0.01 < regulator, (caller, regulator)  # measured 0.0003 and 0.36 (power under 250 Hz)


def test_synthesised_speech_is_intelligible(calls) -> None:
    pairs = [
        (c.text, transcribe_file(c.audio, TranscribeOptions(language="fr")).text) for c in calls.values()
    ]
    error_rate = corpus_wer(pairs)
    print(f"WER of the batch transcripts: {error_rate:.3f}")
    assert error_rate <= 0.2  # measured 0.152 (the issue: 6-13 % typical with Whisper base; here the
    # caller is phone-band and the turns keep the dialogue's repetitions and broken phrases)


def test_live_transcript_of_the_calls(calls, runs) -> None:
    pairs = [(calls[name].text, run.text) for name, run in runs.items()]
    error_rate = corpus_wer(pairs)
    print(f"WER of the live finals: {error_rate:.3f}")
    # measured 0.287 streamed at full speed (0.72 before long clauses counted as decoding loops:
    # dj_mai_enfant_pendu gave one clause 24 times), 0.24 at real-time pace on 6 calls (bench calls_audio)
    assert error_rate <= 0.35
    assert not any(run.errors for run in runs.values())


def test_red_flags_from_audio(runs) -> None:
    for labels in ("turns", LIVE):
        report = report_for(runs, labels)
        assert report.calls_flag_found == report.calls_with_flags == len(CALLS), labels
    flags = report_for(runs, "turns").fields["red_flags"]
    assert flags.recall >= 0.75 and flags.precision >= 0.75, (
        flags.errors
    )  # measured 1.00 / 1.00 (4 flags, both ways)


def test_priority_from_audio(runs) -> None:
    for labels in ("turns", LIVE):
        report = report_for(runs, labels)
        print(labels, report.priority_exact, report.priority_within_one, report.priority_under, report.n)
        # measured: exact 2/3, within one 3/3, one call (dj_mai_enfant_pendu, P0) suggested one level less
        # urgent: the hanging is misheard; at real-time pace exact 5/6, the same call one less (bench calls_audio)
        assert report.priority_within_one == report.n and report.priority_under <= 1, labels


@pytest.mark.parametrize(
    ("key", "min_precision", "min_recall"),
    [
        # 3 calls, so one error in three is 0.67; measured (P / R), text path 1.00 / 1.00 on all of them:
        ("caller.relation", 0.6, 0.6),  # 1.00 / 0.67 (enfant_pendu: "son" misheard)
        ("what_happened", 0.6, 0.6),  # 1.00 / 0.67 (enfant_pendu: "hanging" misheard)
        ("health_motive", 0.6, 0.6),  # 1.00 / 0.67
        ("patient.age", 0.9, 0.9),  # 1.00 / 1.00 (1 value)
        ("vitals.consciousness", 0.6, 0.6),  # 0.67 / 0.67 (sdf_coma: "conscious" instead of "altered")
        ("vitals.breathing", 0.6, 0.9),  # 0.67 / 1.00 (sdf_coma: "normal"; bench calls_audio finds
        # this one wrong value from audio too, since session 2; 1.00 / 1.00 in an earlier run)
    ],
)
def test_field_precision_recall_from_audio(runs, key: str, min_precision: float, min_recall: float) -> None:
    counts = report_for(runs, "turns").fields[key]
    print(key, counts.tp, counts.fp, counts.fn, counts.errors)
    assert counts.precision >= min_precision and counts.recall >= min_recall, (key, counts.errors)


def test_a_model_file_that_does_not_match_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(synth, "CACHE", tmp_path)
    (tmp_path / synth.MODEL_NAME).write_bytes(b"not the model")
    with pytest.raises(synth.SynthError, match="SHA-256"):
        synth.model_path()
