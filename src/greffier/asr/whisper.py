"""Whisper (faster-whisper / CTranslate2) decoding of speech chunks, batched without losing context.

Plain faster-whisper decodes one 30-s window after another, each conditioned on the text before it;
its batched pipeline decodes many chunks at once but without that context and without the
temperature fallback, and loses accuracy. Here the chunks of one or several recordings are laid end
to end and cut into `batch_size` contiguous *sections* decoded side by side: each step decodes the
next chunk of every section in one batch, each conditioned on the previous chunk of its own section
(of the same recording). The sections are shared among `lanes` decoding threads, each with its own
single-threaded CTranslate2 worker: on a few cores, two small batches side by side keep the cores
busier than one batch on two threads (1.28x measured on 2 cores). A decoding loop is cut and the
chunk resumed after the last complete segment before it, as Whisper's own seek resumes a window
that stopped early; only chunks whose output still looks wrong (improbable, or a loop with nothing
before it) are decoded again, alone, with the temperature fallback.

One file past ~400 lines: `WhisperEngine` (about 300) is one batched decoding loop whose state
(sections, lanes, resumed chunks, fallbacks) is shared by all its steps.
"""

from __future__ import annotations

import itertools
import math
import threading
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper.audio import pad_or_trim
from faster_whisper.tokenizer import Tokenizer
from faster_whisper.transcribe import get_suppressed_tokens

from greffier.asr.adapter import WhisperDecoder, transcription_options
from greffier.audio import PcmBuffer
from greffier.config import Settings
from greffier.models import ensure_model, user_model_dir
from greffier.transcript import Segment, Word
from greffier.vad import Region

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json")
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
MIN_RESUME_SECONDS = 1.0
"""A chunk whose decoding stopped more than this before its end is decoded again from there."""
SAMPLING_SEED = 0
"""The temperature fallback samples. CTranslate2 seeds each worker thread's generator at its first
draw, so a fixed seed makes a fresh process give a recording the same transcript (seen on the French
set: the same WER run after run, 0.380-0.384 unseeded); later calls in that process draw on."""
TOKENS_PER_SECOND = 20
"""At most this many tokens are decoded per second of a chunk (about twice a fast French speaker's
text, at about two tokens a word, with its timestamps; 10 cut the end of fast SPPAS clips): a
decoding loop in a short chunk then costs no more than a long decoding."""


@dataclass(frozen=True)
class DecodeOptions:
    beam_size: int = 5
    batch_size: int = 8
    condition_on_previous_text: bool = True
    word_timestamps: bool = True
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    """Whisper's rule: a chunk is silence if its no-speech probability is above this and its text
    is improbable (average log-probability under `log_prob_threshold`)."""
    short_chunk_seconds: float = 5.0
    short_no_speech_threshold: float = 0.3
    """The same rule, stricter, for short isolated chunks: bursts of laughter or noise that pass the
    VAD score 0.44 (laugh1.mp3, "Ha ha ha !"), while a 30-s chunk of real telephone speech can score
    0.41 (edf8k.mp3), so the strict threshold only applies to chunks this short."""
    fallback_temperatures: tuple[float, ...] = (0.3, 0.6, 0.9)
    """Whisper's are 0.2, 0.4 ... 1.0. A chunk that no temperature rescues (two or three of the 8-kHz
    edf8k call) is sampled at every one, five times each, on one lane while the other waits: with
    three steps instead of five the French set took 47-52 s instead of 56-66 s, at the same WER
    (0.376-0.384 against 0.382; three seeds each, one after the other)."""
    prompt_tokens: int = 128
    """How many tokens of the section's previous text condition the next chunk."""


@dataclass(frozen=True)
class Job:
    """One recording to transcribe: its audio, its speech chunks, its language."""

    audio: PcmBuffer
    chunks: tuple[Region, ...]
    language: str


@dataclass(frozen=True)
class _Item:
    job: int
    region: Region


@dataclass
class _Decoded:
    tokens: list[int]
    avg_logprob: float
    no_speech_prob: float
    temperature: float = 0.0


@dataclass
class _Result:
    segments: list[dict]
    tokens: list[int]
    temperature: float
    resume_at: float | None


@dataclass
class _Run:
    """What the lanes of one `transcribe` call share: the results per chunk and the progress."""

    total: float
    progress: Callable[[float], None] | None
    results: dict[_Item, _Result] = field(default_factory=dict)
    done: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.done += seconds
            if self.progress:
                self.progress(min(1.0, self.done / self.total))


def cut_repetition(
    tokens: list[int],
    is_text: Callable[[int], bool],
    max_repeats: int = 3,
    long_repeats: int = 2,
    short: int = 8,
    longest: int = 32,
) -> list[int]:
    """Cut a decoding loop: keep tokens up to the last allowed consecutive repeat of an n-gram of text
    tokens; what follows is dropped. An n-gram of at most `short` tokens may come `max_repeats` times
    in a row ("je suis je suis je suis" is speech), a longer one (up to `longest`) `long_repeats` times:
    a whole clause said three times over is a loop (live calls gave "vous êtes arrivé à quelle heure
    à la maison" 24 times for 2.8 s of audio)."""
    positions = [i for i, t in enumerate(tokens) if is_text(t)]
    text = [tokens[i] for i in positions]
    first: tuple[int, int] | None = None  # (index where the repeats complete, n) of the earliest loop
    for n in range(1, longest + 1):
        need = n * (max_repeats if n <= short else long_repeats)  # text[i] == text[i - n] this often in a row
        run = 0
        for i in range(n, len(text) if first is None else min(len(text), first[0])):
            run = run + 1 if text[i] == text[i - n] else 0
            if run >= need:
                first = (i, n)
                break
    if first is None:
        return tokens
    end, n = first
    return tokens[: positions[end + 1 - n]]


def _compression_ratio(text: str) -> float:
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


class WhisperEngine:
    def __init__(
        self, model_dir: Path, *, threads: int, compute_type: str, name: str, lanes: int = 1
    ) -> None:
        self.name = name
        self.lanes = max(1, min(lanes, threads))
        ctranslate2.set_random_seed(SAMPLING_SEED)
        self.model = WhisperDecoder(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=max(1, threads // self.lanes),
            num_workers=self.lanes,
        )

    @cache  # noqa: B019  (one engine per process; a tokenizer per language)
    def tokenizer(self, language: str) -> Tokenizer:
        return Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual, "transcribe", language)

    # -- language ------------------------------------------------------------------------------
    def detect_language(
        self, audio: PcmBuffer, chunks: Sequence[Region], max_chunks: int = 3
    ) -> tuple[str, float]:
        """Average Whisper's language probabilities over the first speech chunks."""
        if not self.model.model.is_multilingual:
            return "en", 1.0
        if not chunks:
            return "en", 0.0
        features = self._features([(audio, c) for c in chunks[:max_chunks]])
        totals: dict[str, float] = {}
        for result in self.model.model.detect_language(self.model.encode(features)):
            for token, prob in result:
                totals[token[2:-2]] = totals.get(token[2:-2], 0.0) + prob
        language = max(totals, key=totals.__getitem__)
        return language, totals[language] / len(features)

    # -- decoding ------------------------------------------------------------------------------
    def transcribe(
        self,
        jobs: Sequence[Job],
        options: DecodeOptions,
        progress: Callable[[float], None] | None = None,
    ) -> list[list[Segment]]:
        """The segments of every job, decoded together."""
        items = [_Item(j, c) for j, job in enumerate(jobs) for c in job.chunks]
        run = _Run(total=sum(i.region.duration for i in items) or 1.0, progress=progress)
        self._decode_sections(jobs, items, options, run)
        decoded: list[list[dict]] = [[] for _ in jobs]
        for item, result in sorted(run.results.items(), key=lambda pair: pair[0].region.start):
            decoded[item.job].extend(result.segments)
        return [_to_segments(d) for d in decoded]

    def _decode_sections(
        self, jobs: Sequence[Job], items: list[_Item], options: DecodeOptions, run: _Run
    ) -> None:
        """Cut `items` into contiguous sections, shared among the lanes, and decode them."""
        if not items:
            return
        n_sections = max(1, min(options.batch_size, len(items)))
        size = math.ceil(len(items) / n_sections)
        sections = [items[i * size : (i + 1) * size] for i in range(n_sections)]
        sections = [s for s in sections if s]
        lanes = [sections[lane :: self.lanes] for lane in range(min(self.lanes, len(sections)))]
        if len(lanes) == 1:
            self._decode_lane(jobs, lanes[0], options, run)
            return
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="whisper-lane") as pool:
            for future in [pool.submit(self._decode_lane, jobs, lane, options, run) for lane in lanes]:
                future.result()

    def _decode_lane(
        self, jobs: Sequence[Job], sections: list[list[_Item]], options: DecodeOptions, run: _Run
    ) -> None:
        """Decode sections side by side: each step decodes the next chunk of every section in one
        batch, conditioned on the previous text of its own section."""
        queues = [deque(section) for section in sections]
        previous: list[list[int]] = [[] for _ in queues]
        last_job: list[int | None] = [None for _ in queues]
        while any(queues):
            batch = [(s, queue.popleft()) for s, queue in enumerate(queues) if queue]
            for s, item in batch:
                if last_job[s] != item.job:
                    previous[s], last_job[s] = [], item.job
            tokenizers = [self.tokenizer(jobs[item.job].language) for _, item in batch]
            prompts = self._prompts(tokenizers, [previous[s] for s, _ in batch], options)
            results = self._decode_batch(
                [(jobs[item.job].audio, item.region) for _, item in batch], tokenizers, prompts, options
            )
            for (s, item), result, tokenizer in zip(batch, results, tokenizers, strict=True):
                run.results[item] = result
                text_tokens = [t for t in result.tokens if t < tokenizer.eot]
                previous[s] = [] if result.temperature > 0.5 else previous[s] + text_tokens
                run.advance(item.region.duration)
                if result.resume_at is not None:
                    queues[s].appendleft(_Item(item.job, Region(result.resume_at, item.region.end)))
                    run.advance(result.resume_at - item.region.end)

    def _prompts(
        self, tokenizers: list[Tokenizer], previous: list[list[int]], options: DecodeOptions
    ) -> list[list[int]]:
        """Decoder prompts conditioned on each section's previous text.

        CTranslate2 needs <|startoftranscript|> at the same position in a whole generate call, so
        every non-empty context is cut to the shortest one's length (at most `prompt_tokens`): a
        batch then holds at most two prompt lengths, with and without context.
        """
        if not options.condition_on_previous_text:
            return [self.model.get_prompt(t, []) for t in tokenizers]
        length = min([options.prompt_tokens] + [len(p) for p in previous if p])
        return [
            self.model.get_prompt(t, p[-length:] if p else [])
            for t, p in zip(tokenizers, previous, strict=True)
        ]

    def _features(self, spans: Sequence[tuple[PcmBuffer, Region]]) -> np.ndarray:
        extractor = self.model.feature_extractor
        return np.stack(
            [pad_or_trim(extractor(audio.read_seconds(r.start, r.end))[..., :-1]) for audio, r in spans]
        ).astype(np.float32)

    def _decode_batch(
        self,
        spans: Sequence[tuple[PcmBuffer, Region]],
        tokenizers: list[Tokenizer],
        prompts: list[list[int]],
        options: DecodeOptions,
    ) -> list[_Result]:
        encoder_output = self.model.encode(self._features(spans))
        results: list = [None] * len(spans)
        for length in {len(p) for p in prompts}:
            group = [k for k, p in enumerate(prompts) if len(p) == length]
            for k, result in zip(
                group,
                self.model.model.generate(
                    _select(encoder_output, group, len(spans)),
                    [prompts[k] for k in group],
                    beam_size=options.beam_size,
                    max_length=min(
                        self.model.max_length,
                        length + _token_budget(max(spans[k][1].duration for k in group)),
                    ),
                    suppress_blank=True,
                    suppress_tokens=get_suppressed_tokens(tokenizers[0], [-1]),
                    return_scores=True,
                    return_no_speech_prob=True,
                ),
                strict=True,
            ):
                results[k] = result
        decoded = []
        for k, (result, tokenizer) in enumerate(zip(results, tokenizers, strict=True)):
            tokens = result.sequences_ids[0]
            current = _Decoded(
                tokens, result.scores[0] * len(tokens) / (len(tokens) + 1), result.no_speech_prob
            )
            region = spans[k][1]
            if self._needs_fallback(current, region, tokenizer, options):
                current = self._cut_loop(current, region, tokenizer, options) or self._fallback(
                    encoder_output, k, region, prompts[k], tokenizer, options, current
                )
            current.tokens = cut_repetition(current.tokens, lambda t, eot=tokenizer.eot: t < eot)
            decoded.append(current)
        out = [
            self._split(region, d, tokenizer, options)
            for (_, region), d, tokenizer in zip(spans, decoded, tokenizers, strict=True)
        ]
        if options.word_timestamps:
            self._add_words([r for _, r in spans], out, encoder_output, tokenizers)
        return out

    def _is_silence(self, d: _Decoded, chunk: Region, options: DecodeOptions) -> bool:
        threshold = (
            options.short_no_speech_threshold
            if chunk.duration <= options.short_chunk_seconds
            else options.no_speech_threshold
        )
        return d.no_speech_prob > threshold and d.avg_logprob < options.log_prob_threshold

    def _needs_fallback(
        self, d: _Decoded, chunk: Region, tokenizer: Tokenizer, options: DecodeOptions
    ) -> bool:
        if self._is_silence(d, chunk, options):
            return False
        text = tokenizer.decode([t for t in d.tokens if t < tokenizer.eot])
        return (
            _compression_ratio(text) > options.compression_ratio_threshold
            or d.avg_logprob < options.log_prob_threshold
        )

    def _cut_loop(
        self, d: _Decoded, chunk: Region, tokenizer: Tokenizer, options: DecodeOptions
    ) -> _Decoded | None:
        """A probable decoding that fell into a loop, cut before the loop after its last complete
        segment (kept up to the next segment's start timestamp, where the chunk is resumed); None
        when the output is improbable, or when no complete segment comes before the loop."""
        if d.avg_logprob < options.log_prob_threshold:
            return None
        cut = cut_repetition(d.tokens, lambda t: t < tokenizer.eot)
        if len(cut) == len(d.tokens):
            return None
        stamps = [i for i, t in enumerate(cut) if t >= tokenizer.timestamp_begin]
        pairs = [i for i, j in itertools.pairwise(stamps) if j == i + 1]
        if not pairs:
            return None
        kept = _Decoded(cut[: pairs[-1] + 2], d.avg_logprob, d.no_speech_prob, d.temperature)
        return None if self._needs_fallback(kept, chunk, tokenizer, options) else kept

    def _fallback(
        self,
        encoder_output: ctranslate2.StorageView,
        index: int,
        region: Region,
        prompt: list[int],
        tokenizer: Tokenizer,
        options: DecodeOptions,
        first: _Decoded,
    ) -> _Decoded:
        """Decode one chunk again with rising temperatures (whisper's fallback), alone."""
        single = _select(encoder_output, [index], -1)
        fallback_options = transcription_options(
            beam_size=options.beam_size,
            log_prob_threshold=options.log_prob_threshold,
            no_speech_threshold=options.no_speech_threshold,
            compression_ratio_threshold=options.compression_ratio_threshold,
            condition_on_previous_text=options.condition_on_previous_text,
            temperatures=list(options.fallback_temperatures),
            suppress_tokens=get_suppressed_tokens(tokenizer, [-1]),
            word_timestamps=options.word_timestamps,
            prepend_punctuations=PREPEND_PUNCTUATIONS,
            append_punctuations=APPEND_PUNCTUATIONS,
            max_new_tokens=min(_token_budget(region.duration), self.model.max_length - len(prompt)),
        )
        result, avg_logprob, temperature = self.model.decode_with_fallback(
            single, prompt, tokenizer, fallback_options
        )
        candidate = _Decoded(result.sequences_ids[0], avg_logprob, first.no_speech_prob, temperature)
        acceptable = not self._needs_fallback(candidate, region, tokenizer, options)
        return candidate if acceptable or candidate.avg_logprob > first.avg_logprob else first

    def _split(self, chunk: Region, d: _Decoded, tokenizer: Tokenizer, options: DecodeOptions) -> _Result:
        """Timestamped segments of one decoded chunk, and where to resume if it stopped early."""
        if self._is_silence(d, chunk, options):
            return _Result([], d.tokens, d.temperature, None)
        fps = self.model.frames_per_second
        subsegments, seek, single_timestamp_ending = self.model.split_segments(
            tokenizer, d.tokens, chunk.start, int(math.ceil(chunk.duration) * fps), chunk.duration
        )
        stopped_at = seek / fps
        resume = not single_timestamp_ending and 0 < stopped_at < chunk.duration - MIN_RESUME_SECONDS
        segments = [
            dict(
                text=tokenizer.decode(sub["tokens"]),
                tokens=sub["tokens"],
                start=max(chunk.start, sub["start"]),
                end=min(chunk.end, sub["end"]),
                avg_logprob=d.avg_logprob,
                no_speech_prob=d.no_speech_prob,
                seek=round(chunk.start * fps),
            )
            for sub in subsegments
        ]
        return _Result(segments, d.tokens, d.temperature, chunk.start + stopped_at if resume else None)

    def _add_words(
        self,
        chunks: Sequence[Region],
        out: list[_Result],
        encoder_output: ctranslate2.StorageView,
        tokenizers: list[Tokenizer],
    ) -> None:
        """Word timings from the cross-attention alignment, one call per language in the batch."""
        for language in {t.language_code for t in tokenizers}:
            keep = [
                k
                for k, o in enumerate(out)
                if tokenizers[k].language_code == language
                and any(t < tokenizers[k].eot for s in o.segments for t in s["tokens"])
            ]
            if not keep:
                continue
            self.model.align_words(
                [out[k].segments for k in keep],
                tokenizers[keep[0]],
                _select(encoder_output, keep, len(out)),
                [int(math.ceil(chunks[k].duration) * self.model.frames_per_second) for k in keep],
                PREPEND_PUNCTUATIONS,
                APPEND_PUNCTUATIONS,
                chunks[keep[0]].start,
            )
            for k in keep:
                lo, hi = chunks[k].start, chunks[k].end
                for seg in out[k].segments:
                    seg["start"] = min(max(seg["start"], lo), hi)
                    seg["end"] = min(max(seg["end"], seg["start"]), hi)
                    for w in seg.get("words", ()):
                        w["start"] = min(max(w["start"], lo), hi)
                        w["end"] = min(max(w["end"], w["start"]), hi)


def _token_budget(seconds: float) -> int:
    return math.ceil(seconds * TOKENS_PER_SECOND) + 16


def _select(encoder_output: ctranslate2.StorageView, rows: list[int], total: int) -> ctranslate2.StorageView:
    """Some rows of a batched encoder output (the whole of it when all rows are asked for)."""
    if len(rows) == total:
        return encoder_output
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.asarray(encoder_output)[rows]))


def _to_segments(decoded: list[dict]) -> list[Segment]:
    kept = sorted((d for d in decoded if d["text"].strip()), key=lambda d: d["start"])
    return [
        Segment(
            id=n,
            start=float(d["start"]),
            end=float(d["end"]),
            text=d["text"].strip(),
            words=tuple(
                Word(float(w["start"]), float(w["end"]), w["word"].strip(), float(w["probability"]))
                for w in d.get("words", ())
            ),
            avg_logprob=float(d["avg_logprob"]),
            no_speech_prob=float(d["no_speech_prob"]),
        )
        for n, d in enumerate(kept)
    ]


@lru_cache(maxsize=4)
def _load(model_dir: Path, threads: int, compute_type: str, name: str, lanes: int) -> WhisperEngine:
    return WhisperEngine(model_dir, threads=threads, compute_type=compute_type, name=name, lanes=lanes)


def default_lanes(settings: Settings) -> int:
    """Batch decoding lanes: `decode_lanes`, else two as soon as there are two threads."""
    return settings.decode_lanes or (2 if settings.threads >= 2 else 1)


def get_engine(model: Path | None, settings: Settings, *, lanes: int | None = None) -> WhisperEngine:
    """One engine per (model, threads, compute type, lanes) per process: the model is loaded once.

    Batch transcription decodes on `default_lanes` lanes; a caller that decodes one window at a
    time (live passes) asks for `lanes=1`, one worker on all the threads.
    """
    lanes = lanes or default_lanes(settings)
    if model is not None:
        directory = user_model_dir(model, required=WHISPER_FILES, what="Whisper model directory")
        return _load(directory, settings.threads, settings.compute_type, str(directory), lanes)
    directory = ensure_model("whisper-base", settings)
    return _load(directory, settings.threads, settings.compute_type, "whisper-base (packaged)", lanes)
