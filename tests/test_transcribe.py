"""Transcription quality on real speech with human references (../shared/eval), and its invariants."""

from __future__ import annotations

from functools import cache

import pytest

from bench.common.references import Reference, english, french
from bench.common.text import corpus_wer
from greffier.pipeline import TranscribeOptions, transcribe_file, transcribe_files
from greffier.transcript import Transcript
from tests.conftest import eval_file


@cache
def transcribe(relative_or_path: str, language: str | None) -> Transcript:
    path = eval_file(relative_or_path) if not relative_or_path.startswith("/") else relative_or_path
    return transcribe_file(path, TranscribeOptions(language=language))


def batch_wer(refs: list[Reference], language: str) -> float:
    """All files transcribed together, as `greffier transcribe FILE...` does."""
    texts = dict(transcribe_files([r.audio for r in refs], TranscribeOptions(language=language)))
    return corpus_wer([(r.text, texts[i].text) for i, r in enumerate(refs)], language)


def test_french_wer():
    wer = batch_wer(french(), "fr")
    # Measured 0.xx with Whisper base int8 on these 16 files (spontaneous speech, 8-44 kHz);
    # plain faster-whisper scores about the same (bench/asr.py).
    assert wer < 0.40, f"French WER {wer:.3f}"


def test_english_wer():
    wer = batch_wer(english(), "en")
    assert wer < 0.15, f"English WER {wer:.3f}"


def test_language_detection():
    english_clip = transcribe("faster-whisper/tests/data/jfk.flac", None)
    french_clip = transcribe("sppas-samples/samples/samples-fra/F_F_B003-P8.wav", None)
    assert english_clip.language == "en" and english_clip.language_probability > 0.8
    assert french_clip.language == "fr" and french_clip.language_probability > 0.8


def test_word_timestamps_are_monotonic_and_inside_the_audio():
    t = transcribe("linto-ssak/tests/data/audio/tcof2channels.wav", "fr")
    words = t.words
    assert len(words) > 30
    for w in words:
        assert 0 <= w.start <= w.end <= t.duration + 1e-6
        assert 0 <= w.probability <= 1
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    for s in t.segments:
        assert s.words, "every segment has its words"
        assert s.start <= s.words[0].start + 0.01 and s.words[-1].end <= s.end + 0.01


def test_utterances_around_a_long_silence_land_at_their_time():
    # The peer suite (whisper-timestamped) expects "Bonjour ! Est-ce que vous allez bien ?" at ~0.4 s
    # and again at ~32.9 s, with silence between.
    t = transcribe("whisper-timestamped/tests/data/bonjour_vous_allez_bien.mp3", "fr")
    bonjours = [w for w in t.words if w.text.lower().strip("!.,? ").startswith("bonjour")]
    assert len(bonjours) == 2, t.text
    assert abs(bonjours[0].start - 0.4) < 0.6
    assert abs(bonjours[1].start - 32.9) < 0.6
    assert not [w for w in t.words if 4.0 < w.start < 32.0], "nothing in the silence"


@pytest.mark.parametrize(
    "clip",
    [
        "whisper-timestamped/tests/data/empty.mp3",
        "whisper-timestamped/tests/data/empty.wav",
        "whisper-timestamped/tests/data/laugh1.mp3",
        "whisper-timestamped/tests/data/laugh2.mp3",
    ],
)
@pytest.mark.parametrize("language", ["fr", None])
def test_no_text_on_silence_noise_or_laughter(clip, language):
    t = transcribe(clip, language)
    assert len(t.words) <= 2, t.text


def test_no_repetition_loops_on_a_long_call():
    t = transcribe("linto-ssak/tests/data/audio/edf8k.mp3", "fr")
    texts = [s.text.lower() for s in t.segments]
    assert len(texts) > 20
    for a, b, c in zip(texts, texts[1:], texts[2:], strict=False):
        assert not (a == b == c and len(a) > 10), f"repeated segment: {a!r}"
    for s in t.segments:
        words = s.text.lower().split()
        assert len(words) < 4 or len(set(words)) / len(words) > 0.3, f"looping segment: {s.text!r}"


def test_a_clause_said_over_and_over_is_cut_but_spoken_repeats_stay():
    # What the live decoder gave for 2.8 s of a synthesised call ("vous êtes arrivé à quelle heure à la
    # maison" 24 times): a clause longer than 8 tokens escaped the loop cut until it took them too.
    from greffier.asr.whisper import cut_repetition, get_engine
    from greffier.config import get_settings

    settings = get_settings()
    tokenizer = get_engine(settings.asr_model, settings).tokenizer("fr")

    def cut(text: str) -> str:
        return tokenizer.decode(cut_repetition(tokenizer.encode(text), lambda t: t < tokenizer.eot))

    clause = " vous êtes arrivé à quelle heure à la maison"
    assert len(tokenizer.encode(clause)) > 8
    assert cut(clause * 24).count("arrivé") == 2
    spoken = " oui je suis je suis je suis à la maison il respire il respire il respire"
    assert cut(spoken) == spoken
    assert cut(" non non non non non") == " non non non"
