"""faster-whisper's private API behind one subclass, as WhisperX subclasses `WhisperModel`.

Greffier decodes its own batches, so it calls three methods faster-whisper keeps for its own
`transcribe`: `_split_segments_by_timestamps`, `generate_with_fallback` and `add_word_timestamps`.
They, the options the fallback takes (`TranscriptionOptions`, built from the library's own defaults)
and the language codes are used nowhere else: a faster-whisper release that changes their shape
fails tests/test_asr_adapter.py rather than a transcription.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import ctranslate2
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import _LANGUAGE_CODES, Tokenizer
from faster_whisper.transcribe import TranscriptionOptions

LANGUAGES: frozenset[str] = frozenset(_LANGUAGE_CODES)
"""The language codes Whisper knows."""


def transcription_options(**overrides: Any) -> TranscriptionOptions:
    """`TranscriptionOptions` with `WhisperModel.transcribe`'s defaults for every field it has a
    parameter of the same name for, and `overrides` (which must give the others: `temperatures`)."""
    parameters = inspect.signature(WhisperModel.transcribe).parameters
    defaults = {
        f.name: parameters[f.name].default
        for f in dataclasses.fields(TranscriptionOptions)
        if f.name in parameters and parameters[f.name].default is not inspect.Parameter.empty
    }
    return TranscriptionOptions(**{**defaults, **overrides})


class WhisperDecoder(WhisperModel):
    """`WhisperModel` with public names for the private methods Greffier decodes with."""

    def split_segments(
        self,
        tokenizer: Tokenizer,
        tokens: list[int],
        time_offset: float,
        segment_frames: int,
        segment_duration: float,
    ) -> tuple[list[dict], int, bool]:
        """The timestamped segments of one decoded window, the frame where its decoding stopped,
        and whether it ended on a single timestamp."""
        segments, seek, single_timestamp_ending = self._split_segments_by_timestamps(
            tokenizer=tokenizer,
            tokens=tokens,
            time_offset=time_offset,
            segment_size=segment_frames,
            segment_duration=segment_duration,
            seek=0,
        )
        return segments, seek, single_timestamp_ending

    def decode_with_fallback(
        self,
        encoder_output: ctranslate2.StorageView,
        prompt: list[int],
        tokenizer: Tokenizer,
        options: TranscriptionOptions,
    ) -> tuple[Any, float, float]:
        """Whisper's temperature fallback on one window: the CTranslate2 result, its average
        log-probability and the temperature that gave it."""
        result, avg_logprob, temperature, _ = self.generate_with_fallback(
            encoder_output, prompt, tokenizer, options
        )
        return result, avg_logprob, temperature

    def align_words(
        self,
        segments: list[list[dict]],
        tokenizer: Tokenizer,
        encoder_output: ctranslate2.StorageView,
        frames: list[int],
        prepend_punctuations: str,
        append_punctuations: str,
        start: float,
    ) -> None:
        """Add `words` (start, end, word, probability) to the segments of each window, from the
        cross-attention alignment."""
        self.add_word_timestamps(
            segments,
            tokenizer,
            encoder_output,
            frames,
            prepend_punctuations,
            append_punctuations,
            start,
        )
