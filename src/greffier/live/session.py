"""Live streams: frames in, protocol messages out, one isolated recogniser per stream.

`LiveHub` holds what streams share: the engine (the batch model, loaded once), the speaker
embedder (when `live_speakers`: finals are labelled by `live.speakers`), a limit on streams
and a `PassGate` that lets one decoding pass run at a time (the CPU is the bottleneck; passes that
close an utterance go first, since the delay of finals is what users feel). Each `LiveStream` runs
its `OnlineTranscriber` in its own thread; `run_stream` is the protocol loop over any transport
(the WebSocket endpoint, `greffier live`): frames in with an idle timeout, bad frames answered with
an `error`, messages out in order, `end` last.

One file past ~400 lines: a `LiveStream` lives on what its `LiveHub` lends it (the engine, the
embedder, the pass gate, the stream limit), so the hub, the gate and the stream are kept together.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import queue
import threading
import wave
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from greffier.asr.streaming import Event, Final, OnlineTranscriber, Partial, PassStats, StreamingOptions
from greffier.asr.whisper import WhisperEngine, get_engine
from greffier.audio import SAMPLE_RATE, to_pcm16
from greffier.config import Settings
from greffier.diarize.embed import SpeakerEmbedder, get_embedder
from greffier.errors import GreffierError
from greffier.live.input import FrameError, make_input
from greffier.live.protocol import (
    AudioFormat,
    EndMessage,
    ErrorMessage,
    FinalMessage,
    PartialMessage,
    ServerMessage,
    parse_client_text,
)
from greffier.live.speakers import OnlineSpeakers, SpeakerOptions
from greffier.people.identify import PrintIndex
from greffier.transcript import Segment, Transcript

log = logging.getLogger("greffier.live")


class LiveBusy(GreffierError):
    """All live stream slots are taken."""


@dataclass(frozen=True)
class LiveOptions:
    format: AudioFormat = AudioFormat.PCM16
    language: str | None = None
    beam_size: int = 5
    min_chunk: float = 1.0
    silence: float = 0.5
    idle_timeout: float = 30.0
    max_frame_bytes: int = 1 << 20
    max_step: float = 5.0
    """At most this much new audio per decoding pass (a client sending faster than real time)."""
    adaptive: bool = True
    """Each pass takes the audio that arrived while the last one ran (a live source: the recogniser
    keeps up with real time). False, for a file sent faster than real time: the recogniser takes
    `max_step` of audio at a time, and waits for it, and the passes are those the audio alone calls for
    (`StreamingOptions.adaptive`): the same passes, and the same finals, on any machine, busy or not."""
    max_backlog: float = 60.0
    """Audio waiting for the recogniser beyond this: frames are no longer read (TCP slows the client)."""
    speakers: bool = True
    """Label each final with its speaker (`live.speakers`)."""
    speaker_threshold: float = SpeakerOptions.threshold
    hotwords: Callable[[str | None], str | None] | None = None
    """`StreamingOptions.hotwords` (`/ws/call`: the organisation's place names after "where?")."""
    people: PrintIndex | None = None
    """The organisation's prints: finals name the people their speakers are (`live.speakers`)."""

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> LiveOptions:
        return replace(
            cls(
                language=settings.language,
                beam_size=settings.live_beam_size,
                min_chunk=settings.live_min_chunk_s,
                silence=settings.live_silence_ms / 1000,
                idle_timeout=settings.live_idle_timeout_s,
                max_frame_bytes=settings.live_max_frame_kb * 1024,
                speakers=settings.live_speakers,
                speaker_threshold=settings.live_speaker_threshold,
            ),
            **overrides,
        )


class PassGate:
    """At most `capacity` decoding passes at once; urgent ones first, then first come first served."""

    def __init__(self, capacity: int = 1) -> None:
        self._capacity = capacity
        self._running = 0
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def turn(self, urgent: bool) -> Iterator[None]:
        ticket = (0 if urgent else 1, next(self._tickets))
        with self._changed:
            heapq.heappush(self._waiting, ticket)
            while self._running >= self._capacity or self._waiting[0] != ticket:
                self._changed.wait()
            heapq.heappop(self._waiting)
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()


class LiveHub:
    """What the live streams of one process share."""

    def __init__(
        self,
        settings: Settings,
        engine: WhisperEngine | None = None,
        embedder: SpeakerEmbedder | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or get_engine(settings.asr_model, settings, lanes=1)
        self._embedder = embedder or (get_embedder(settings) if settings.live_speakers else None)
        self.gate = PassGate(settings.live_parallel_passes)
        self._open = 0
        self._lock = threading.Lock()

    def options(self, **overrides: object) -> LiveOptions:
        return LiveOptions.from_settings(self.settings, **overrides)

    @property
    def embedder(self) -> SpeakerEmbedder:
        """The speaker embedder (loaded here on first use when `live_speakers` is off)."""
        if self._embedder is None:
            self._embedder = get_embedder(self.settings)
        return self._embedder

    @contextlib.asynccontextmanager
    async def stream(self, options: LiveOptions, record: Path | None = None) -> AsyncIterator[LiveStream]:
        """A new stream (refused with `LiveBusy` when `live_max_streams` are open)."""
        with self._lock:
            if self._open >= self.settings.live_max_streams:
                raise LiveBusy(
                    f"{self._open} live streams are open, the most this server takes",
                    "try again when one ends, or raise GREFFIER_LIVE_MAX_STREAMS if the CPU can take more",
                )
            self._open += 1
        try:
            stream = LiveStream(self, options, record)
            try:
                yield stream
            finally:
                await stream.close()
        finally:
            with self._lock:
                self._open -= 1


class _Recorder:
    """The stream's audio as a 16-bit WAV file, written as it arrives."""

    def __init__(self, path: Path) -> None:
        self._file = wave.open(str(path), "wb")  # noqa: SIM115  closed by close()
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(SAMPLE_RATE)

    def write(self, samples: np.ndarray) -> None:
        self._file.writeframes(to_pcm16(samples))

    def close(self) -> None:
        self._file.close()


class LiveStream:
    """One stream: `push` frames, read `messages()`, `close()` for the transcript."""

    def __init__(self, hub: LiveHub, options: LiveOptions, record: Path | None = None) -> None:
        self.options = options
        self._hub = hub
        self._loop = asyncio.get_running_loop()
        self._messages: asyncio.Queue[ServerMessage | None] = asyncio.Queue()
        self._inbox: queue.SimpleQueue[np.ndarray | None] = queue.SimpleQueue()
        self._backlog = 0
        self._backlog_lock = threading.Lock()
        self._recorder = _Recorder(record) if record else None
        self._input = make_input(options.format, self._on_samples, self._on_decoder_error)
        self._transcriber = OnlineTranscriber(
            hub.engine,
            StreamingOptions(
                language=options.language,
                beam_size=options.beam_size,
                min_chunk=options.min_chunk,
                silence=options.silence,
                adaptive=options.adaptive,
                hotwords=options.hotwords,
            ),
        )
        self._speakers = (
            OnlineSpeakers(hub.embedder, SpeakerOptions(threshold=options.speaker_threshold), options.people)
            if options.speakers
            else None
        )
        self._finals: list[Segment] = []
        self.failed = asyncio.Event()
        self._done = asyncio.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._work, name="live-stream", daemon=True)
        self._thread.start()

    # -- input (event loop) --------------------------------------------------------------------
    async def push(self, data: bytes) -> None:
        """One audio frame; raises `FrameError` for a frame that cannot be used."""
        if not data:
            raise FrameError(
                "empty_frame", "an empty audio frame was received", "send frames with audio in them"
            )
        if len(data) > self.options.max_frame_bytes:
            raise FrameError(
                "frame_too_large",
                f"an audio frame of {len(data)} bytes exceeds the limit of {self.options.max_frame_bytes}",
                "send the audio in smaller frames (e.g. 100-500 ms each); this one was dropped",
            )
        self._input.push(data)
        while self.backlog > self.options.max_backlog and not self._done.is_set():
            await asyncio.sleep(0.05)

    @property
    def backlog(self) -> float:
        """Seconds of audio received that the recogniser has not taken yet."""
        return self._backlog / SAMPLE_RATE

    @property
    def stats(self) -> PassStats:
        """Decoding passes so far and their time."""
        return self._transcriber.stats

    @property
    def speaker_stats(self) -> PassStats | None:
        """Finals labelled with their speaker so far and the time it took (None: not labelled)."""
        return self._speakers.stats if self._speakers else None

    def report(self, error: FrameError) -> None:
        """Tell the client about a bad frame; a fatal one ends the stream."""
        self._messages.put_nowait(
            ErrorMessage(code=error.code, message=error.problem, fix=error.fix, fatal=error.fatal)
        )
        if error.fatal:
            self.failed.set()

    def _on_samples(self, samples: np.ndarray) -> None:
        if self._recorder:
            self._recorder.write(samples)
        with self._backlog_lock:
            self._backlog += len(samples)
        self._inbox.put(samples)

    def _on_decoder_error(self, error: FrameError) -> None:
        self._loop.call_soon_threadsafe(self.report, error)

    # -- output --------------------------------------------------------------------------------
    async def messages(self) -> AsyncIterator[ServerMessage]:
        """Partials, finals and errors in order, until the recogniser is done."""
        while (message := await self._messages.get()) is not None:
            yield message

    async def close(self) -> Transcript:
        """No more input: decode what is left, send the last finals; idempotent."""
        if not self._closed:
            self._closed = True
            await asyncio.to_thread(self._input.close)
            self._inbox.put(None)
            await self._done.wait()
            if self._recorder:
                self._recorder.close()
        return self.transcript()

    def transcript(self) -> Transcript:
        t = self._transcriber
        return Transcript(
            language=t.language or self.options.language or "und",
            duration=round(t.received, 3),
            segments=tuple(self._finals),
            speakers=self._speakers.speakers if self._speakers else (),
            language_probability=t.language_probability,
            source="live",
            model=self._hub.engine.name,
        )

    # -- the recogniser thread -----------------------------------------------------------------
    def _work(self) -> None:
        waiting: deque[np.ndarray] = deque()
        ended = False
        transcriber = self._transcriber
        max_step = round(self.options.max_step * SAMPLE_RATE)

        def take(block: bool) -> None:
            nonlocal ended
            with contextlib.suppress(queue.Empty):
                item = self._inbox.get(block=block)
                while True:
                    if item is None:
                        ended = True
                    else:
                        waiting.append(item)
                    item = self._inbox.get_nowait()

        def feed() -> None:
            fed = 0
            while waiting and fed < max_step:
                samples = waiting.popleft()
                if len(samples) > max_step - fed:  # the rest waits for the next step
                    waiting.appendleft(samples[max_step - fed :])
                    samples = samples[: max_step - fed]
                transcriber.feed(samples)
                if self._speakers:
                    self._speakers.feed(samples)
                fed += len(samples)
                with self._backlog_lock:
                    self._backlog -= len(samples)

        def feed_step() -> None:
            """`max_step` of audio, once it has arrived (or all that is left, once the input ended)."""
            while not ended and sum(len(samples) for samples in waiting) < max_step:
                take(block=True)
            feed()

        try:
            while True:
                if self.options.adaptive:
                    take(block=not ended and not waiting and not transcriber.has_work())
                    feed()
                elif not transcriber.has_work():
                    feed_step()
                if transcriber.has_work():
                    with self._hub.gate.turn(urgent=transcriber.urgent):
                        if self.options.adaptive:
                            take(block=False)
                            feed()
                        events = transcriber.step()
                    self._post(events)  # outside the gate: labelling speakers holds no other stream up
                elif ended and not waiting:
                    with self._hub.gate.turn(urgent=True):
                        events = transcriber.finish()
                    self._post(events)
                    break
        except Exception as exc:  # the stream ends; the others go on
            log.exception("live stream failed")
            error = FrameError(
                "internal_error",
                f"the recogniser failed ({exc.__class__.__name__}: {exc})",
                "start a new stream; report the problem if it persists",
                fatal=True,
            )
            self._loop.call_soon_threadsafe(self.report, error)
        finally:
            self._loop.call_soon_threadsafe(self._finish_output)

    def _post(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, Final):
                segment = self._speakers.label(event.segment) if self._speakers else event.segment
                self._finals.append(segment)
                person = self._speakers.person_of(segment.speaker) if self._speakers else None
                message: ServerMessage = FinalMessage.of(segment, person.name if person else None)
            else:
                assert isinstance(event, Partial)
                start = None if event.start is None else round(event.start, 3)
                message = PartialMessage(text=event.text, start=start)
            self._loop.call_soon_threadsafe(self._messages.put_nowait, message)

    def _finish_output(self) -> None:
        self._messages.put_nowait(None)
        self._done.set()


Receive = Callable[[], Awaitable[bytes | str | None]]
"""The next frame: bytes (audio), str (a control message), or None when the client has gone."""
Send = Callable[[str], Awaitable[None]]
Save = Callable[[Transcript], Awaitable[str | None]]


async def run_stream(
    stream: LiveStream, receive: Receive, send: Send, save: Save | None = None
) -> Transcript:
    """The protocol loop; returns the transcript of the finals (saved with `save` if given)."""
    connected = True

    async def forward() -> None:
        nonlocal connected
        async for message in stream.messages():
            if connected:
                try:
                    await send(message.model_dump_json())
                except (OSError, RuntimeError, ConnectionError) as exc:  # the client went away
                    log.info("live client gone: %s", exc)
                    connected = False

    sender = asyncio.create_task(forward())
    reason = await _receive_frames(stream, receive)
    connected = connected and reason != "disconnected"
    transcript = await stream.close()
    await sender
    meeting_id = await save(transcript) if save else None
    if connected:
        end = EndMessage(
            reason=reason,
            duration=transcript.duration,
            segments=len(transcript.segments),
            language=transcript.language,
            meeting_id=meeting_id,
        )
        with contextlib.suppress(OSError, RuntimeError, ConnectionError):
            await send(end.model_dump_json())
    return transcript


async def _receive_frames(stream: LiveStream, receive: Receive) -> str:
    """Frames into the stream until the client ends it, goes away, idles or sends a fatal frame."""
    failed = asyncio.ensure_future(stream.failed.wait())
    try:
        while True:
            frame_task = asyncio.ensure_future(receive())
            done, _ = await asyncio.wait(
                {frame_task, failed}, timeout=stream.options.idle_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if frame_task not in done:
                frame_task.cancel()
                if failed in done:
                    return "error"
                stream.report(
                    FrameError(
                        "idle_timeout",
                        f"no audio for {stream.options.idle_timeout:g} s: the stream is closed",
                        'send audio continuously (silence included), or end the stream with {"type": "end"}',
                        fatal=True,
                    )
                )
                return "idle_timeout"
            frame = frame_task.result()
            if frame is None:
                return "disconnected"
            if isinstance(frame, str):
                if parse_client_text(frame) is not None:
                    return "client"
                stream.report(
                    FrameError(
                        "bad_message",
                        f"unknown text message {frame[:80]!r}",
                        'send audio as binary frames; the only text message is {"type": "end"}',
                    )
                )
                continue
            try:
                await stream.push(frame)
            except FrameError as exc:
                stream.report(exc)
                if exc.fatal:
                    return "error"
    finally:
        failed.cancel()
