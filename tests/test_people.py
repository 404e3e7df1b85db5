"""Voiceprint maths and identification (`greffier.people`): real CAM++ on real speech, one-to-one
assignment, the threshold, and the transcript's person fields (old JSON still loads)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from greffier.audio import load_audio
from greffier.config import get_settings
from greffier.diarize.embed import get_embedder
from greffier.live.speakers import OnlineSpeakers
from greffier.people.identify import THRESHOLD, PrintIndex, identify
from greffier.people.label import identify_speakers
from greffier.people.voiceprint import (
    MIN_SPEECH_S,
    NotEnoughSpeech,
    enrolment_print,
    from_bytes,
    normalised,
    speech_of,
    to_bytes,
)
from greffier.transcript import Segment, Speaker, SpeakerTurn, Transcript
from tests.conftest import eval_file

AMI = "ami-debug-train"
STRANGER = ("trn05", "FEE078")  # a woman of another meeting, 24 s of speech


def _truth(name: str) -> Transcript:
    """An AMI excerpt's reference turns as a diarized transcript."""
    rttm = eval_file(f"{AMI}/debug.train.rttm").read_text(encoding="utf-8").splitlines()
    turns = []
    for f in (line.split() for line in rttm):
        if f[1] == name:
            turns.append(SpeakerTurn(float(f[3]), float(f[3]) + float(f[4]), f[7]))
    speakers = tuple(Speaker(s) for s in sorted({t.speaker for t in turns}))
    return Transcript("en", 30.0, speakers=speakers, turns=tuple(sorted(turns, key=lambda t: t.start)))


def test_one_to_one_and_threshold():
    a, b = normalised(np.eye(192)[0]), normalised(np.eye(192)[1])
    index = PrintIndex([("p1", "Marie", a), ("p2", "Paul", b), ("p1", "Marie", normalised(a + 0.1 * b))])
    assert index.people == [("p1", "Marie"), ("p2", "Paul")], "rows grouped by person"
    # both speakers are nearest to Marie: only one of them may be her
    found = identify({"S0": a, "S1": normalised(a + 0.9 * b)}, index, threshold=0.0)
    assert found["S0"].name == "Marie" and found["S1"].name == "Paul"
    assert identify({"S0": b}, index, threshold=1.01) == {}, "below the threshold: nobody"


def test_the_blocked_search_scores_as_one_product():
    """Blocks of prints and groups of voices (`identify.BLOCK`, `VOICES`) give each person's best
    cosine, as the plain product does, for more prints than a block and more voices than a group."""
    rng = np.random.default_rng(1)
    vectors = [normalised(rng.normal(size=192)) for _ in range(500)]
    prints = [(f"p{i % 170:03d}", f"n{i % 170}", v) for i, v in enumerate(vectors)]  # 2-3 prints each
    voices = np.stack([normalised(rng.normal(size=192)) for _ in range(11)])
    index = PrintIndex(prints)
    people = sorted({p for p, _, _ in prints})
    expected = np.array(
        [[max(float(v @ w) for p, _, w in prints if p == person) for person in people] for v in voices]
    )
    assert [p for p, _ in index.people] == people and len(index) == 500
    np.testing.assert_allclose(index.scores(voices), expected, atol=1e-5)


def test_print_bytes_round_trip():
    vector = normalised(np.arange(192, dtype=np.float32))
    assert len(to_bytes(vector)) == 192 * 4
    assert np.array_equal(from_bytes(to_bytes(vector)), vector)
    with pytest.raises(ValueError, match="bytes"):
        from_bytes(b"\0" * 12)


def test_speech_alone_excludes_overlap():
    t = Transcript(
        "en",
        10.0,
        speakers=(Speaker("A"), Speaker("B")),
        turns=(SpeakerTurn(0.0, 5.0, "A"), SpeakerTurn(4.0, 8.0, "B")),
    )
    spans = speech_of(t, "A")
    assert [(s.start, s.end) for s in spans] == [(0.0, 4.0)]


def test_a_voice_enrolled_in_one_meeting_is_found_in_another():
    """FEE083 speaks alone 22 s in trn06 and 17 s in trn09 (ami-debug-train)."""
    embedder = get_embedder(get_settings())
    enrolled = enrolment_print(
        load_audio(eval_file(f"{AMI}/trn06.wav")), speech_of(_truth("trn06"), "FEE083"), embedder, "trn06"
    )
    assert enrolled.seconds >= MIN_SPEECH_S and enrolled.vector.dtype == np.float32
    assert float(np.linalg.norm(enrolled.vector)) == pytest.approx(1.0, abs=1e-5)
    index = PrintIndex([("p83", "Fiona", enrolled.vector)])
    found = identify_speakers(load_audio(eval_file(f"{AMI}/trn09.wav")), _truth("trn09"), index, embedder)
    named = {s.id: s for s in found.speakers}
    assert named["FEE083"].name == "Fiona" and named["FEE083"].person_id == "p83"
    assert named["FEE083"].score >= THRESHOLD
    assert all(s.person_id is None for s in found.speakers if s.id != "FEE083")
    # an excerpt of another meeting: nobody there is Fiona
    other = identify_speakers(load_audio(eval_file(f"{AMI}/trn04.wav")), _truth("trn04"), index, embedder)
    assert all(s.person_id is None for s in other.speakers)


def test_too_little_speech_is_refused_with_the_fix():
    embedder = get_embedder(get_settings())
    with pytest.raises(NotEnoughSpeech, match=r"needs 10 s") as caught:
        enrolment_print(
            load_audio(eval_file(f"{AMI}/trn07.wav")), speech_of(_truth("trn07"), "FEE087"), embedder, "trn07"
        )
    assert "sample" in str(caught.value)


def test_person_fields_round_trip_and_old_json_loads():
    t = Transcript("fr", 1.0, speakers=(Speaker("SPEAKER_00", "Marie", "p1", 0.81),))
    again = Transcript.from_json(t.to_json())
    assert again.speakers[0] == Speaker("SPEAKER_00", "Marie", "p1", 0.81)
    old = {
        "language": "fr",
        "duration": 1.0,
        "segments": [],
        "speakers": [{"id": "SPEAKER_00", "name": None}],
    }
    assert Transcript.from_dict(old).speakers[0].person_id is None
    renamed = again.rename_speaker("SPEAKER_00", "Paul")
    assert renamed.speakers[0].person_id is None, "a name given by hand drops the identification"
    assert json.loads(renamed.to_json())["speakers"][0]["name"] == "Paul"


def _solo(name: str, speaker: str) -> np.ndarray:
    """`speaker`'s speech alone in the AMI excerpt `name`, end to end."""
    audio = load_audio(eval_file(f"{AMI}/{name}.wav"))
    spans = speech_of(_truth(name), speaker)
    return np.concatenate([audio[round(s.start * 16000) : round(s.end * 16000)] for s in spans])


def test_live_finals_name_the_person_their_speaker_is():
    """A stream that knows FEE083 (enrolled from trn06) hears 3-s finals of her solo speech in trn09
    in turn with finals of FEE078, a woman of another meeting (trn05): her finals carry her name once
    her speaker has a voice, his never do, and the stream's speakers name her."""
    embedder = get_embedder(get_settings())
    enrolled = enrolment_print(
        load_audio(eval_file(f"{AMI}/trn06.wav")), speech_of(_truth("trn06"), "FEE083"), embedder, "trn06"
    )
    live = OnlineSpeakers(embedder, people=PrintIndex([("p83", "Fiona", enrolled.vector)]))
    voices = {"FEE083": _solo("trn09", "FEE083"), "other": _solo(*STRANGER)}
    piece = 3 * 16000
    turns = [
        (who, voices[who][i : i + piece])
        for i in range(0, min(len(v) for v in voices.values()) - piece + 1, piece)
        for who in voices
    ]
    sent, at = [], 0.0
    for i, (who, audio) in enumerate(turns):
        live.feed(audio)
        final = live.label(Segment(i, at, at + len(audio) / 16000, ""))
        at += len(audio) / 16000
        person = live.person_of(final.speaker)
        sent.append((who, person.name if person else None))
    assert len(sent) >= 8
    assert all(p is None for who, p in sent if who == "other"), sent
    assert [p for who, p in sent if who == "FEE083"][1:] == ["Fiona"] * (len(sent) // 2 - 1), sent
    assert [s.name for s in live.speakers if s.person_id == "p83"] == ["Fiona"]
