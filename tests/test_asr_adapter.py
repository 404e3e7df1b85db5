"""The faster-whisper adapter against the installed faster-whisper: a release that changes the shape
of the private API Greffier decodes with fails here."""

from __future__ import annotations

import dataclasses
import inspect

import numpy as np
from faster_whisper import WhisperModel, decode_audio
from faster_whisper.audio import pad_or_trim
from faster_whisper.transcribe import TranscriptionOptions, get_suppressed_tokens

from greffier.asr import LANGUAGES
from greffier.asr.adapter import transcription_options
from greffier.asr.whisper import APPEND_PUNCTUATIONS, PREPEND_PUNCTUATIONS, get_engine
from greffier.config import get_settings
from tests.conftest import eval_file


def test_options_take_the_library_defaults_and_only_what_greffier_sets():
    options = transcription_options(temperatures=[0.3], beam_size=2)
    parameters = inspect.signature(WhisperModel.transcribe).parameters
    for f in dataclasses.fields(TranscriptionOptions):
        if f.name not in ("temperatures", "beam_size"):
            assert getattr(options, f.name) == parameters[f.name].default, f.name
    assert (options.temperatures, options.beam_size) == ([0.3], 2)


def test_the_language_codes_are_whispers():
    assert {"fr", "en", "de"} <= LANGUAGES and "xx" not in LANGUAGES


def test_fallback_split_and_word_alignment_on_real_speech():
    settings = get_settings()
    engine = get_engine(settings.asr_model, settings, lanes=1)
    model = engine.model
    audio = decode_audio(str(eval_file("linto-ssak/tests/data/audio/bonjour.wav")))
    duration = len(audio) / 16000
    features = pad_or_trim(model.feature_extractor(audio)[..., :-1])[None].astype(np.float32)
    encoder_output = model.encode(features)
    tokenizer = engine.tokenizer("fr")
    prompt = model.get_prompt(tokenizer, [])
    options = transcription_options(
        temperatures=[0.0, 0.5],
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        word_timestamps=True,
        max_new_tokens=64,
    )

    result, avg_logprob, temperature = model.decode_with_fallback(encoder_output, prompt, tokenizer, options)
    tokens = result.sequences_ids[0]
    assert isinstance(avg_logprob, float) and temperature in (0.0, 0.5)

    frames = int(np.ceil(duration) * model.frames_per_second)
    segments, seek, single_timestamp_ending = model.split_segments(tokenizer, tokens, 0.0, frames, duration)
    assert isinstance(seek, int) and isinstance(single_timestamp_ending, bool)
    assert segments and {"start", "end", "tokens"} <= set(segments[0])
    assert "bonjour" in tokenizer.decode(segments[0]["tokens"]).lower()

    model.align_words(
        [segments], tokenizer, encoder_output, [frames], PREPEND_PUNCTUATIONS, APPEND_PUNCTUATIONS, 0.0
    )
    words = [w for s in segments for w in s["words"]]
    assert words and {"start", "end", "word", "probability"} <= set(words[0])
    assert "bonjour" in "".join(w["word"] for w in words).lower()
