"""Streaming recognition: audio arrives piece by piece, text comes out as it becomes stable.

The policy is LocalAgreement-2 from ÚFAL's whisper_streaming (Macháček, Dabre and Bojar, 2023): the
audio window since the last cut is decoded again every time enough new audio has arrived, and the
words that two successive passes agree on are committed; the committed text before the window is
the prompt. The window is cut where the text is settled: at the end of an utterance (Silero VAD: a
pause of `silence` seconds; everything heard so far is committed then, without waiting for a second
pass, which is what keeps the delay of a final short), and, in long stretches of speech without a
pause, at the end of a committed Whisper segment. A pass starts as soon as a pause begins, on the
audio up to it: if the pause lasts, that pass is the utterance's last and its final is ready then.
Finals close at utterance ends, at sentence ends and at cuts, and never overlap nor go back in time.

`OnlineTranscriber` is synchronous and holds one stream's state: one per stream, driven by one
thread. Streams share the engine's model (CTranslate2 queues concurrent calls).

One file past ~400 lines: `OnlineTranscriber` is one stream's state machine (about 200 lines), and
`decode_window`, its one decoding pass, has no other caller.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

import numpy as np
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_suppressed_tokens

from greffier.asr.whisper import APPEND_PUNCTUATIONS, PREPEND_PUNCTUATIONS, WhisperEngine, cut_repetition
from greffier.audio import SAMPLE_RATE
from greffier.transcript import Segment, Word
from greffier.vad import Region, SpeechTracker, VadSettings

log = logging.getLogger(__name__)
_SENTENCE_END = re.compile(r"[.?!…。？！]['\"”»)]*$")
_KEY = re.compile(r"[^\w']+")
NO_SPEECH_THRESHOLD = 0.6
LOGPROB_THRESHOLD = -1.0


@dataclass(frozen=True)
class StreamingOptions:
    language: str | None = None
    """ISO code; None: detected on the first `detect_after` seconds of speech."""
    beam_size: int = 5
    min_chunk: float = 1.0
    """Seconds of new audio that start the next decoding pass; when `adaptive`, at least twice as
    much as the last pass took, so that a slow machine spends its time on the passes that give finals."""
    adaptive: bool = True
    """Wait longer between passes when they take long (a live source: the recogniser keeps up with
    real time). False for a file streamed faster than real time: every `min_chunk` of new audio starts
    a pass, so the passes, and the transcript, are the same on any machine, busy or not."""
    silence: float = 0.5
    """A pause this long ends an utterance: its text is committed and sent as final."""
    trim_after: float = 15.0
    """A window longer than this is cut at the end of its last committed Whisper segment."""
    max_window: float = 28.0
    """A window this long is cut at its last word whatever the agreement (Whisper reads 30 s)."""
    pad: float = 0.2
    """Audio kept around speech (VAD onsets and ends are a little late / early)."""
    prompt_chars: int = 200
    detect_after: float = 3.0
    encoder_seconds: float = 10.0
    """The encoder reads the window padded to this (Whisper's own is 30 s: slower, a little better)."""
    hotwords: Callable[[str | None], str | None] | None = None
    """Given the committed text before the window (the prompt), words to bias the next pass towards,
    or None (faster-whisper's `hotwords`: put before the prompt). `/ws/call` gives the organisation's
    place names once the regulator has asked where (`calls.vocabulary`)."""


@dataclass(frozen=True)
class Partial:
    """The text after the last final, which may still change."""

    text: str
    start: float | None


@dataclass(frozen=True)
class Final:
    """A committed segment: it never changes, and the next one starts at or after its end."""

    segment: Segment


Event = Partial | Final


def _key(word: Word) -> str:
    return _KEY.sub("", word.text.casefold())


def _join(words: list[Word]) -> str:
    """Whisper's words carry their own spacing (" d", "'entrée"): joined as they come."""
    return "".join(w.text for w in words).strip()


class LocalAgreement:
    """Commits the longest common prefix of two successive hypotheses (word lists, absolute times).

    Each pass decodes the committed words of the window again: the new hypothesis is taken after
    them, found by their text (the committed tail matched in it, near its time), since word times
    move by a few tenths of a second from one pass to the next; whisper_streaming goes by time alone,
    and drops the next word when its start moves before the last committed end.
    """

    TAIL = 8

    def __init__(self) -> None:
        self.committed_in_window: list[Word] = []
        self.previous: list[Word] = []
        self.last_end = 0.0

    def _unheard(self, words: list[Word]) -> list[Word]:
        """The words of a hypothesis after those already committed."""
        tail = [_key(w) for w in self.committed_in_window[-self.TAIL :]]
        if tail:
            keys = [_key(w) for w in words]
            for block in SequenceMatcher(None, tail, keys, autojunk=False).get_matching_blocks():
                after = block.b + block.size
                if (
                    block.size
                    and block.a + block.size == len(tail)
                    and (block.size >= 2 or len(tail) == 1)
                    and abs(words[after - 1].end - self.last_end) < 1.0
                ):
                    return words[after:]
        return [w for w in words if w.start > self.last_end - 0.1]

    def insert(self, words: list[Word]) -> list[Word]:
        """Add a new hypothesis; returns the words it commits."""
        new = self._unheard(words)
        commit: list[Word] = []
        for old, word in zip(self.previous, new, strict=False):
            if _key(old) != _key(word):
                break
            commit.append(word)
        self.previous = new[len(commit) :]
        self._commit(commit)
        return commit

    def commit_all(self, before: float) -> list[Word]:
        """Commit the rest of the latest hypothesis (the words starting before `before`)."""
        commit = [w for w in self.previous if w.start < before]
        self.previous = []
        self._commit(commit)
        return commit

    def _commit(self, words: list[Word]) -> None:
        if words:
            self.committed_in_window.extend(words)
            self.last_end = max(self.last_end, words[-1].end)

    def forget_before(self, time: float) -> None:
        """The window now starts at `time`: committed words before it are out of reach."""
        self.committed_in_window = [w for w in self.committed_in_window if w.end > time]

    def reset(self) -> None:
        self.committed_in_window = []
        self.previous = []


@dataclass
class PassStats:
    passes: int = 0
    seconds: float = 0.0
    last_seconds: float = 0.0

    def add(self, seconds: float) -> None:
        self.passes += 1
        self.seconds += seconds
        self.last_seconds = seconds


@dataclass
class _Pass:
    words: list[Word]
    segment_ends: list[float]
    until: float


class OnlineTranscriber:
    """One stream: `feed` audio, call `step` while `has_work()`, then `finish` once.

    Words inside carry Whisper's own leading space (" chat", "'entrée"); finals strip them.
    """

    def __init__(self, engine: WhisperEngine, options: StreamingOptions = StreamingOptions()) -> None:
        self.engine = engine
        self.options = options
        self.language = options.language
        self.language_probability: float | None = 1.0 if options.language else None
        self._vad = SpeechTracker(VadSettings(min_silence_ms=round(options.silence * 1000)))
        self._window = np.zeros(0, np.float32)
        self._offset = 0.0
        self._received = 0
        self._agreement = LocalAgreement()
        self._last: _Pass | None = None
        self._pending: list[Word] = []
        self._committed: list[Word] = []
        self._detected: tuple[str, float] | None = None
        self._final_end = 0.0
        self._next_id = 0
        self._partial = ""
        self.stats = PassStats()

    # -- input ---------------------------------------------------------------------------------
    @property
    def received(self) -> float:
        """Seconds of audio received."""
        return self._received / SAMPLE_RATE

    def feed(self, samples: np.ndarray) -> None:
        """Append 16-kHz mono float32 samples."""
        if not len(samples):
            return
        self._window = np.concatenate([self._window, samples.astype(np.float32, copy=False)])
        self._received += len(samples)
        self._vad.feed(samples)
        if not self._has_speech():
            self._cut(max(self._offset, self._vad.analysed - self.options.pad))  # silence: keep a margin

    def _has_speech(self) -> bool:
        return self._vad.open_since is not None or self._utterance_end() is not None or bool(self._pending)

    def _utterance_end(self) -> Region | None:
        for region in self._vad.closed:
            if region.end > self._offset:
                return region
        return None

    # -- work ----------------------------------------------------------------------------------
    def _pause(self) -> float | None:
        """The end of the speech before a pause not yet decoded (the utterance may be over)."""
        since = self._vad.pause_since
        if since is None or since <= self._offset or self._vad.analysed < since + self.options.pad:
            return None
        if self._last is not None and self._last.until >= since + self.options.pad - 0.05:
            return None
        return since

    @property
    def urgent(self) -> bool:
        """The next `step` sends, or prepares, the final of an utterance: the pass that matters most."""
        return self._utterance_end() is not None or self._pause() is not None

    def has_work(self) -> bool:
        if self.urgent:
            return True
        decoded = self._last.until if self._last else self._offset
        wait = self.options.min_chunk
        if self.options.adaptive:
            wait = max(wait, 2 * self.stats.last_seconds)
        return self._vad.open_since is not None and self.received - decoded >= wait

    def step(self) -> list[Event]:
        """One decoding pass (or none, when the latest one already covers an utterance's end)."""
        region = self._utterance_end()
        if region is not None:
            return self._close_utterance(min(region.end + self.options.pad, self.received))
        if self._vad.open_since is None:
            return []
        pause = self._pause()
        # At a pause, decode up to it: if the pause lasts, that pass gives the utterance's final.
        decoded = self._decode(self.received if pause is None else pause + self.options.pad)
        if self.language_probability is None and self.received - self._offset < self.options.detect_after:
            return self._partial_event(decoded.words)  # language not settled yet: nothing to commit
        self._settle_language()
        self._pending.extend(self._agreement.insert(decoded.words))
        events = self._finals_at_sentence_ends()
        events += self._trim(decoded)
        return events + self._partial_event(self._agreement.previous)

    def finish(self) -> list[Event]:
        """The stream ended: commit everything heard."""
        return self._close_utterance(self.received) if self._has_speech() else []

    # -- internals -----------------------------------------------------------------------------
    def _close_utterance(self, until: float) -> list[Event]:
        last = self._last
        if last is None or last.until < until - 0.05:
            last = self._decode(until)
        self._settle_language()
        self._pending.extend(self._agreement.insert([w for w in last.words if w.start < until]))
        self._pending.extend(self._agreement.commit_all(before=until))
        self._agreement.reset()
        events = self._final(len(self._pending))
        self._cut(until)
        self._vad.closed = [r for r in self._vad.closed if r.end > until]
        return events + self._partial_event([])

    def _finals_at_sentence_ends(self) -> list[Event]:
        ends = [i for i, w in enumerate(self._pending) if _SENTENCE_END.search(w.text)]
        return self._final(ends[-1] + 1) if ends else []

    def _trim(self, decoded: _Pass) -> list[Event]:
        """Cut a long window at the end of its last Whisper segment that is wholly committed."""
        length = self.received - self._offset
        if length <= self.options.trim_after:
            return []
        committed_end = self._agreement.last_end
        cuts = [t for t in decoded.segment_ends[:-1] if self._offset < t <= committed_end]
        if cuts:
            cut = cuts[-1]
        elif length >= self.options.max_window:
            self._pending.extend(self._agreement.commit_all(before=math.inf))
            cut = self._pending[-1].end if self._pending else self.received - self.options.pad
        else:
            return []
        events = self._final(sum(1 for w in self._pending if w.end <= cut + 0.01))
        self._agreement.forget_before(cut)
        self._cut(cut)
        return events

    def _final(self, count: int) -> list[Event]:
        """Send the first `count` pending words as one final segment."""
        words, self._pending = self._pending[:count], self._pending[count:]
        words = [w for w in words if w.text.strip()]
        if not words:
            return []
        self._committed = [*self._committed[-100:], *words]
        clipped = []
        for w in words:
            start = max(w.start, self._final_end)
            clipped.append(Word(start, max(w.end, start), w.text.strip(), w.probability))
        segment = Segment(
            id=self._next_id,
            start=clipped[0].start,
            end=clipped[-1].end,
            text=_join(words),
            words=tuple(clipped),
        )
        self._next_id += 1
        self._final_end = segment.end
        return [Final(segment)]

    def _partial_event(self, tail: list[Word]) -> list[Event]:
        words = self._pending + tail
        text = _join(words)
        if text == self._partial:
            return []
        self._partial = text
        return [Partial(text, words[0].start if words else None)]

    def _cut(self, time: float) -> None:
        """Drop the audio before `time` from the window."""
        drop = round((time - self._offset) * SAMPLE_RATE)
        if drop <= 0:
            return
        self._window = self._window[drop:]
        self._offset += drop / SAMPLE_RATE
        self._last = None

    def _prompt(self) -> str | None:
        """The committed text before the window (the window's own text is decoded again)."""
        text = ""
        for word in reversed(self._committed):
            if word.end > self._offset + 0.01:
                continue
            if len(text) + len(word.text) > self.options.prompt_chars:
                break
            text = word.text + text
        return text.strip() or None

    def _settle_language(self) -> None:
        if self.language_probability is None and self._detected is not None:
            self.language, self.language_probability = self._detected

    def _decode(self, until: float) -> _Pass:
        audio = self._window[: round((until - self._offset) * SAMPLE_RATE)]
        started = time.perf_counter()
        prompt = self._prompt()
        hotwords = self.options.hotwords(prompt) if self.options.hotwords else None
        decoded = decode_window(self.engine, audio, self.language, prompt, self.options, hotwords)
        words = [
            Word(self._offset + w.start, self._offset + w.end, w.text, w.probability) for w in decoded.words
        ]
        if self.language_probability is None:
            self._detected = (decoded.language, decoded.language_probability)
        self._last = _Pass(words, [self._offset + end for end in decoded.segment_ends], until)
        self.stats.add(time.perf_counter() - started)
        log.debug(
            "pass %.2f-%.2f s: %d words in %.2f s",
            self._offset,
            until,
            len(words),
            time.perf_counter() - started,
        )
        return self._last


@dataclass(frozen=True)
class DecodedWindow:
    words: list[Word]
    """Times from the window's start; texts with Whisper's leading spaces."""
    segment_ends: list[float]
    language: str
    language_probability: float


def decode_window(
    engine: WhisperEngine,
    audio: np.ndarray,
    language: str | None,
    prompt: str | None,
    options: StreamingOptions,
    hotwords: str | None = None,
) -> DecodedWindow:
    """One greedy-or-beam pass over a window shorter than 30 s, with word times; no fallback.

    Whisper reads 30-s windows; a shorter window is padded only to `encoder_seconds` (or 1 s past
    its end, if longer), which halves the encoder's work on the short windows of live speech.
    """
    model = engine.model
    features = model.feature_extractor(audio)[..., :-1]
    frames = features.shape[-1]
    width = min(3000, max(round(options.encoder_seconds * 100), frames + 100))
    features = np.pad(features[:, :width], ((0, 0), (0, max(0, width - frames))))
    encoder_output = model.encode(np.ascontiguousarray(features[None], dtype=np.float32))
    probability = 1.0
    if language is None:
        ranked = model.model.detect_language(encoder_output)[0]
        language, probability = ranked[0][0][2:-2], ranked[0][1]
    tokenizer = _tokenizer(engine, language)
    previous = tokenizer.encode(" " + prompt) if prompt else []
    prompt_tokens = model.get_prompt(tokenizer, previous, hotwords=hotwords)
    result = model.model.generate(
        encoder_output,
        [prompt_tokens],
        beam_size=options.beam_size,
        # As the batch engine: CTranslate2 then returns at most ~220 tokens (a 28-s window of fast
        # French is ~180); a lower cap cuts the last segment off, and a loop is cut below.
        max_length=model.max_length,
        return_scores=True,
        return_no_speech_prob=True,
        suppress_blank=True,
        suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
        max_initial_timestamp_index=50,
    )[0]
    tokens = result.sequences_ids[0]
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    tokens = cut_repetition(tokens, lambda t: t < tokenizer.eot)
    if result.no_speech_prob > NO_SPEECH_THRESHOLD and avg_logprob < LOGPROB_THRESHOLD:
        return DecodedWindow([], [], language, probability)
    segments, _, _ = model.split_segments(tokenizer, tokens, 0.0, frames, frames / 100)
    segments = [seg for seg in segments if any(t < tokenizer.eot for t in seg["tokens"])]
    if not segments:
        return DecodedWindow([], [], language, probability)
    model.align_words(
        [segments], tokenizer, encoder_output, [frames], PREPEND_PUNCTUATIONS, APPEND_PUNCTUATIONS, 0.0
    )
    end = frames / 100
    words = [
        Word(min(w["start"], end), min(max(w["end"], w["start"]), end), w["word"], w["probability"])
        for seg in segments
        for w in seg.get("words", ())
    ]
    return DecodedWindow(words, [min(seg["end"], end) for seg in segments], language, probability)


@lru_cache(maxsize=16)
def _tokenizer(engine: WhisperEngine, language: str) -> Tokenizer:
    return Tokenizer(engine.model.hf_tokenizer, engine.model.model.is_multilingual, "transcribe", language)
