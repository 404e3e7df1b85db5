"""Live audio frames to 16-kHz mono float32: raw PCM16, or WebM/Ogg chunks decoded as they come.

A container stream is demuxed and decoded by PyAV (FFmpeg) in its own thread, reading from a pipe
that the frames are written into, so that chunks cut anywhere (MediaRecorder cuts them by time, not
at container boundaries) decode as one continuous file.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable

import av
import numpy as np

from greffier.audio import SAMPLE_RATE
from greffier.errors import GreffierError
from greffier.live.protocol import AudioFormat

SampleSink = Callable[[np.ndarray], None]

_MAGIC = {b"\x1a\x45\xdf\xa3": AudioFormat.WEBM, b"OggS": AudioFormat.OGG}


class FrameError(GreffierError):
    """A frame the stream cannot use; `fatal` when the stream cannot go on after it."""

    def __init__(self, code: str, problem: str, fix: str, *, fatal: bool = False) -> None:
        super().__init__(problem, fix)
        self.code = code
        self.fatal = fatal


def _sniff(data: bytes) -> AudioFormat | None:
    return next((fmt for magic, fmt in _MAGIC.items() if data.startswith(magic)), None)


class Pcm16Input:
    """Little-endian int16 samples at 16 kHz, mono; a frame may end in the middle of nothing."""

    def __init__(self, sink: SampleSink) -> None:
        self._sink = sink
        self._first = True

    def push(self, data: bytes) -> None:
        if self._first and (found := _sniff(data)) is not None:
            raise FrameError(
                "wrong_format",
                f"this frame is a {found.value} container, not raw PCM16",
                f"open the stream with format={found.value}, or send 16-bit 16-kHz mono samples",
            )
        if len(data) % 2:
            raise FrameError(
                "bad_frame",
                f"a PCM16 frame holds whole 2-byte samples; this one has {len(data)} bytes",
                "send int16 little-endian samples, 2 bytes each (the frame was dropped)",
            )
        self._first = False
        self._sink(np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0)

    def close(self) -> None:
        return None


class _Pipe(io.RawIOBase):
    """Bytes written by one thread, read (blocking) by the decoder thread; EOF after `close_input`."""

    def __init__(self) -> None:
        super().__init__()
        self._data = bytearray()
        self._ended = False
        self._ready = threading.Condition()
        self.written = 0
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def feed(self, data: bytes) -> None:
        with self._ready:
            self._data += data
            self.written += len(data)
            self._ready.notify()

    def close_input(self) -> None:
        with self._ready:
            self._ended = True
            self._ready.notify()

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        with self._ready:
            while not self._data and not self._ended:
                self._ready.wait()
            n = min(len(buffer), len(self._data))
            buffer[:n] = self._data[:n]
            del self._data[:n]
            self.read_bytes += n
            return n


class ContainerInput:
    """WebM or Ogg chunks, in order, decoded in a thread; decoding errors go to `on_error` (fatal).

    FFmpeg's demuxers skip corrupt data silently (a bogus element size swallows what follows), so a
    stream whose last `STALL_BYTES` gave no audio is reported as corrupt.
    """

    STALL_BYTES = 64 * 1024
    TAIL_BYTES = 8 * 1024

    def __init__(self, fmt: AudioFormat, sink: SampleSink, on_error: Callable[[FrameError], None]) -> None:
        self._format = fmt
        self._sink = sink
        self._on_error = on_error
        self._pipe = _Pipe()
        self._thread: threading.Thread | None = None
        self._read_at_last_audio = 0
        self._failed = False

    def push(self, data: bytes) -> None:
        if self._thread is None:
            found = _sniff(data)
            if found != self._format:
                what = f"a {found.value} container" if found else "not the start of a container"
                raise FrameError(
                    "wrong_format",
                    f"the first frame is {what}, not {self._format.value}",
                    f"send the {self._format.value} stream from its first chunk (MediaRecorder's first "
                    "dataavailable blob holds the header), or open the stream with the right format",
                    fatal=True,
                )
            self._thread = threading.Thread(target=self._decode, name="live-decode", daemon=True)
            self._thread.start()
        self._pipe.feed(data)
        if self._pipe.read_bytes - self._read_at_last_audio > self.STALL_BYTES and self._thread.is_alive():
            raise self._corrupt(self._pipe.read_bytes - self._read_at_last_audio)

    def close(self) -> None:
        """No more input: wait until everything written is decoded."""
        self._pipe.close_input()
        if self._thread is not None:
            self._thread.join()
            undecoded = self._pipe.written - self._read_at_last_audio
            if undecoded > self.TAIL_BYTES and not self._failed:
                self._on_error(self._corrupt(undecoded))

    def _corrupt(self, size: int) -> FrameError:
        return FrameError(
            "bad_frame",
            f"the last {size // 1024} KiB of the {self._format.value} stream gave no audio: it is corrupt",
            "send the chunks of one recording in order, unaltered",
            fatal=True,
        )

    def _emit(self, samples: np.ndarray) -> None:
        self._read_at_last_audio = self._pipe.read_bytes
        self._sink(samples)

    def _decode(self) -> None:
        demuxer = "matroska" if self._format is AudioFormat.WEBM else "ogg"
        try:
            with av.open(
                self._pipe,
                format=demuxer,
                options={"probesize": "32", "analyzeduration": "0"},
                buffer_size=4096,
            ) as container:
                if not container.streams.audio:
                    raise FrameError(
                        "wrong_format",
                        f"the {self._format.value} stream has no audio track",
                        "record audio (MediaRecorder with an audio track)",
                        fatal=True,
                    )
                resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
                for frame in container.decode(audio=0):
                    for out in resampler.resample(frame):
                        self._emit(out.to_ndarray().reshape(-1).copy())
                for out in resampler.resample(None):  # the resampler's tail: no progress in the input
                    self._sink(out.to_ndarray().reshape(-1).copy())
        except FrameError as exc:
            self._failed = True
            self._on_error(exc)
        except (av.FFmpegError, ValueError, OSError) as exc:
            self._failed = True
            self._on_error(
                FrameError(
                    "bad_frame",
                    f"the {self._format.value} stream cannot be decoded any further ({exc.__class__.__name__}: {exc})",
                    "send the chunks of one recording in order, without gaps or changes of codec",
                    fatal=True,
                )
            )
        finally:
            self._pipe.close_input()


def make_input(
    fmt: AudioFormat, sink: SampleSink, on_error: Callable[[FrameError], None]
) -> Pcm16Input | ContainerInput:
    return Pcm16Input(sink) if fmt is AudioFormat.PCM16 else ContainerInput(fmt, sink, on_error)
