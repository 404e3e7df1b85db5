"""The audit of the diarization references (bench/common/reference_audit.py) against their audio."""

from __future__ import annotations

import math
from statistics import median

import numpy as np

from bench.common.diarization import references, rttm_der, rttm_turns
from bench.common.reference_audit import LABEL_FIXES, audited_rttm, median_pitch, silences
from greffier.audio import SAMPLE_RATE, load_audio

EDF = next(r for r in references() if r.name == "edf8k")
AUDITED = {r.name: r for r in references(audited=True)}


def test_label_fixes_are_exactly_the_turns_whose_pitch_is_the_other_partys():
    audio = load_audio(EDF.audio)
    pitched = [(t, f0) for t in rttm_turns(EDF.rttm) if (f0 := median_pitch(audio, t.start, t.end))]
    party = {s: median(f0 for t, f0 in pitched if t.speaker == s) for s in ("spk1", "spk2")}
    assert party["spk1"] < 170 < 210 < party["spk2"]  # a man and a woman
    flagged = {
        t.start for t, f0 in pitched if min(party, key=lambda s: abs(math.log(f0 / party[s]))) != t.speaker
    }
    assert flagged == {f.start for f in LABEL_FIXES if f.recording == "edf8k"}


def test_audited_reference_carries_the_fixes_in_its_turns_and_its_text():
    turns = {round(t.start, 2): t.speaker for t in rttm_turns(AUDITED["edf8k"].rttm)}
    stm = {round(float(f[3]), 2): f[2] for f in (line.split() for line in AUDITED["edf8k"].stm.splitlines())}
    for fix in LABEL_FIXES:
        assert turns[fix.start] == stm[fix.start] == fix.corrected


def test_silent_pauses_are_cut_out_of_the_reference_turns():
    # edf8k 14.62-20.30 (agent, "ça coupe"): the line is dead from 17.15 to 19.2 s
    covered = [(t.start, t.end) for t in rttm_turns(AUDITED["edf8k"].rttm)]
    assert not any(s < 18.0 < e for s, e in covered)
    assert any(s < 16.0 < e for s, e in covered) and any(s < 19.5 < e for s, e in covered)
    given = sum(t.end - t.start for t in rttm_turns(EDF.rttm))
    audited = sum(e - s for s, e in covered)
    assert 5.0 < given - audited < 15.0


def test_silences_are_the_quiet_stretches_of_at_least_the_minimum_pause():
    tone = 0.1 * np.sin(np.arange(SAMPLE_RATE) * 2 * np.pi * 200 / SAMPLE_RATE).astype(np.float32)
    gap = np.zeros(SAMPLE_RATE // 2, np.float32)
    blip = np.zeros(SAMPLE_RATE // 5, np.float32)  # 0.2 s: a pause too short to cut
    audio = np.concatenate([tone, gap, tone, blip, tone])
    assert silences(audio) == [(1.0, 1.5)]
    turn = f"SPEAKER x 1 0.000 {len(audio) / SAMPLE_RATE:.3f} <NA> <NA> a <NA> <NA>\n"
    pieces = [(round(t.start, 2), round(t.end, 2)) for t in rttm_turns(audited_rttm(turn, audio))]
    assert pieces == [(0.0, 1.0), (1.5, round(len(audio) / SAMPLE_RATE, 2))]


def test_the_audited_reference_scored_on_the_given_one_differs_by_its_fixes_only():
    assert rttm_der(EDF, EDF.rttm).rate == 0.0
    floor = rttm_der(EDF, AUDITED["edf8k"].rttm)
    fixed = {f.start for f in LABEL_FIXES if f.recording == "edf8k"}
    relabelled = sum(t.end - t.start for t in rttm_turns(EDF.rttm) if round(t.start, 2) in fixed)
    assert floor.false_alarm == 0.0  # the audit only removes or relabels speech
    assert 5.0 < floor.missed < 15.0  # the silent pauses, less their collars
    # the three relabelled turns, less their collars and the silent pauses cut out of them
    assert relabelled - 4.0 < floor.confusion <= relabelled
