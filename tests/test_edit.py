"""Corrections made in the web app: the words a person did not touch keep their timings."""

from __future__ import annotations

from dataclasses import replace

import pytest

from greffier.edit import EditError, SegmentEdit, apply_edits, correct_text, tokens
from greffier.transcript import Segment, Speaker, SpeakerTurn, Transcript, Word

# The first segment Whisper base gives for sppas F_F_B003-P8.wav, as stored (its words split "j'ai"
# and "d'entrée" in two, without spaces).
WORDS = [
    (2.26, 2.7, "Hier"),
    (2.7, 2.92, "soir,"),
    (2.92, 3.08, "j"),
    (3.08, 3.08, "'ai"),
    (3.08, 3.24, "ouvert"),
    (3.24, 3.4, "la"),
    (3.4, 3.6, "porte"),
    (3.6, 3.8, "d"),
    (3.8, 3.98, "'entrée"),
    (3.98, 4.16, "pour"),
    (4.16, 4.3, "laisser"),
    (4.3, 5.0, "sortir"),
    (5.0, 5.28, "le"),
    (5.28, 5.48, "chat."),
]
SEGMENT = Segment(
    0,
    2.26,
    5.48,
    "Hier soir, j'ai ouvert la porte d'entrée pour laisser sortir le chat.",
    tuple(Word(s, e, t, 0.9, "SPEAKER_00") for s, e, t in WORDS),
    "SPEAKER_00",
)
SECOND = Segment(1, 5.76, 8.38, "La nuit était belle.", (Word(5.76, 8.38, "La"),), "SPEAKER_01")
TRANSCRIPT = Transcript("fr", 21.3, (SEGMENT, SECOND), (Speaker("SPEAKER_00"), Speaker("SPEAKER_01")))


def _timed(segment: Segment) -> dict[str, tuple[float, float]]:
    return {w.text: (w.start, w.end) for w in segment.words}


def test_words_are_grouped_by_the_tokens_of_the_text() -> None:
    found = [(token.text, [w.text for w in token.words]) for token in tokens(SEGMENT)]
    assert found[2] == ("j'ai", ["j", "'ai"]) and found[6] == ("d'entrée", ["d", "'entrée"])
    assert len(found) == len(SEGMENT.text.split())


def test_a_replaced_word_takes_the_time_of_the_word_it_replaces() -> None:
    corrected = correct_text(SEGMENT, "Hier soir, j'ai ouvert la porte d'entrée pour faire sortir le chat.")
    assert corrected.text.endswith("pour faire sortir le chat.")
    before, after = _timed(SEGMENT), _timed(corrected)
    assert after["faire"] == before["laisser"]
    assert next(w for w in corrected.words if w.text == "faire").probability == 1.0
    for text in ("Hier", "j", "'ai", "'entrée", "sortir", "chat."):  # untouched words keep everything
        assert after[text] == before[text]
    assert len(corrected.words) == len(SEGMENT.words)


def test_inserted_and_removed_words_share_the_time_around_them() -> None:
    corrected = correct_text(SEGMENT, "Hier soir, j'ai ouvert la grande porte d'entrée pour laisser le chat.")
    grande = next(w for w in corrected.words if w.text == "grande")
    assert grande.start == grande.end == 3.4  # between "la" (ends 3.4) and "porte" (starts 3.4)
    assert "sortir" not in {w.text for w in corrected.words}
    several = correct_text(SEGMENT, "Hier soir, j'ai ouvert la porte d'entrée pour que sorte le chat.")
    new = [w for w in several.words if w.text in ("que", "sorte")]
    assert new[0].start == 4.16 and new[-1].end == 5.0 and new[0].end == new[1].start  # laisser sortir
    assert all(a.end <= b.start + 1e-9 for a, b in zip(several.words, several.words[1:], strict=False))


def test_case_only_changes_keep_timings_and_take_the_new_spelling() -> None:
    corrected = correct_text(SEGMENT, "Hier soir, j'ai ouvert la Porte d'entrée pour laisser sortir le chat.")
    porte = next(w for w in corrected.words if w.text == "Porte")
    assert (porte.start, porte.end, porte.probability) == (3.4, 3.6, 0.9)


def test_apply_edits_renames_reassigns_corrects_and_removes() -> None:
    edited = apply_edits(
        TRANSCRIPT,
        [SegmentEdit(0, speaker="SPEAKER_01"), SegmentEdit(1, text="  ")],
        {"SPEAKER_00": "Claire"},
    )
    assert edited.speaker_name("SPEAKER_00") == "Claire"
    assert [s.id for s in edited.segments] == [0]
    assert edited.segments[0].speaker == "SPEAKER_01"
    assert {w.speaker for w in edited.segments[0].words} == {"SPEAKER_01"}
    assert TRANSCRIPT.segments[0].speaker == "SPEAKER_00", "the original is unchanged"


def test_diarized_turns_stay_through_text_edits_and_go_with_a_speaker_change() -> None:
    turns = (SpeakerTurn(2.2, 5.5, "SPEAKER_00"), SpeakerTurn(5.7, 8.4, "SPEAKER_01"))
    diarized = replace(TRANSCRIPT, turns=turns)
    assert apply_edits(diarized, [SegmentEdit(1, text="La nuit.")], {"SPEAKER_00": "Claire"}).turns == turns
    assert apply_edits(diarized, [SegmentEdit(0, speaker="SPEAKER_00")]).turns == turns, "same speaker"
    assert apply_edits(diarized, [SegmentEdit(0, speaker="SPEAKER_01")]).turns == ()


@pytest.mark.parametrize(
    ("segments", "names", "problem"),
    [
        ([SegmentEdit(9, text="x")], {}, "no segment 9"),
        ([SegmentEdit(0, speaker="SPEAKER_07")], {}, "no speaker 'SPEAKER_07'"),
        ([], {"SPEAKER_07": "Bob"}, "no speaker 'SPEAKER_07'"),
        ([], {"SPEAKER_00": " "}, "1 to 200 characters"),
        ([SegmentEdit(0, text="bad \x07 bell")], {}, "control character"),
    ],
)
def test_impossible_edits_say_what_is_wrong(segments: list, names: dict, problem: str) -> None:
    with pytest.raises(EditError, match=problem) as caught:
        apply_edits(TRANSCRIPT, segments, names)
    assert caught.value.fix


def test_a_piece_of_a_segment_keeps_the_spacing_of_its_text() -> None:
    """Diarization and live speaker labels cut segments where the speaker changes."""
    words = tuple(Word(i, i + 0.5, t, 0.9) for i, t in enumerate(["Oui,", "j", "'ai", "vu", "l", "'avion."]))
    segment = Segment(3, 0.0, 5.5, " Oui, j'ai vu l'avion.", words, "SPEAKER_00")
    first, second = segment.piece(0, 1), segment.piece(1, 6)
    assert (first.text, first.start, first.end, first.words) == ("Oui,", 0.0, 0.5, words[:1])
    assert (second.text, second.start, second.end) == ("j'ai vu l'avion.", 1, 5.5)
    assert second.id == 3 and second.speaker == "SPEAKER_00"
    retyped = replace(segment, text="Oui, j'ai vu un avion.")  # words no longer in the text: joined
    assert retyped.piece(3, 6).text == "vu l 'avion."
