"""Decode any audio or video file to 16 kHz float32 with PyAV (FFmpeg), block by block.

`stream_audio` yields fixed-size blocks so that a two-hour meeting never sits in memory as one
float32 array; `load_audio` is the convenience for short clips. Resampling and down-mixing are
FFmpeg's (libswresample) through PyAV's `AudioResampler`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from greffier.errors import AudioError

SAMPLE_RATE = 16_000

_FIX_FORMAT = "give a recording in a common format (wav, mp3, flac, ogg/opus, m4a, webm, mp4, mkv)"


@dataclass(frozen=True)
class AudioInfo:
    duration: float
    channels: int
    sample_rate: int
    codec: str
    container: str
    """FFmpeg's name of the format it found in the file (wav, mp3, ogg, "matroska,webm"…)."""


def _open(path: Path) -> av.container.InputContainer:
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file", "check the path")
    if path.is_dir():
        raise AudioError(f"{path} is a directory, not a recording", "give the audio or video file itself")
    if path.stat().st_size == 0:
        raise AudioError(f"{path} is empty (0 bytes)", "the upload or copy was probably cut: copy it again")
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(
            f"{path} is not a readable audio or video file ({exc.__class__.__name__})", _FIX_FORMAT
        ) from exc
    if not container.streams.audio:
        container.close()
        raise AudioError(f"{path} has no audio track", "give a file that contains sound")
    return container


def probe(path: Path) -> AudioInfo:
    """Read the header: duration, channels, rate, codec. Raises `AudioError` with a fix."""
    with _open(path) as container:
        stream = container.streams.audio[0]
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        return AudioInfo(
            duration=duration,
            channels=stream.codec_context.channels or 1,
            sample_rate=stream.codec_context.sample_rate or 0,
            codec=stream.codec_context.name,
            container=container.format.name,
        )


def stream_audio(
    path: Path,
    *,
    block_seconds: float = 30.0,
    split_channels: bool = False,
    sample_rate: int = SAMPLE_RATE,
) -> Iterator[np.ndarray]:
    """Yield consecutive float32 blocks of `block_seconds` (the last may be shorter).

    Mono blocks have shape (n,); with `split_channels` they have shape (channels, n), for stereo
    calls where each channel is one party.
    """
    block = int(block_seconds * sample_rate)
    with _open(path) as container:
        stream = container.streams.audio[0]
        channels = stream.codec_context.channels or 1
        layout = "mono" if not split_channels else ("stereo" if channels >= 2 else "mono")
        n_out = 1 if layout == "mono" else 2
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
        pending: list[np.ndarray] = []
        pending_len = 0
        decoded_any = False
        try:
            for frame in _decode(container, stream, path):
                for out in _resample(resampler, frame, path):
                    pending.append(out.to_ndarray().reshape(n_out, -1))
                    pending_len += out.samples
                while pending_len >= block:
                    joined = np.concatenate(pending, axis=1)
                    yield _shape(joined[:, :block], split_channels)
                    rest = joined[:, block:]
                    pending, pending_len = [rest], rest.shape[1]
                    decoded_any = True
            for out in resampler.resample(None):
                pending.append(out.to_ndarray().reshape(n_out, -1))
                pending_len += out.samples
        finally:
            del resampler
        if pending_len:
            yield _shape(np.concatenate(pending, axis=1), split_channels)
        elif not decoded_any:
            raise AudioError(f"{path} holds no decodable audio", _FIX_FORMAT)


def _decode(
    container: av.container.InputContainer, stream: av.AudioStream, path: Path
) -> Iterator[av.AudioFrame]:
    """Decode frames, skipping corrupt packets; fail only if nothing at all decodes."""
    errors = 0
    good = 0
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.FFmpegError:
            errors += 1
            if good == 0 and errors > 50:
                raise AudioError(f"{path} is corrupt: no audio frame could be decoded", _FIX_FORMAT) from None
            continue
        for frame in frames:
            good += 1
            yield frame
    if good == 0:
        raise AudioError(f"{path} is corrupt or not audio: no audio frame could be decoded", _FIX_FORMAT)


def _resample(resampler: av.AudioResampler, frame: av.AudioFrame, path: Path) -> list[av.AudioFrame]:
    try:
        return resampler.resample(frame)
    except ValueError:  # a frame whose rate or channels differ from the first ones': damaged data
        raise AudioError(
            f"{path} is corrupt: its audio changes format part-way (sample rate or channels)",
            "repair or re-export the recording (e.g. `ffmpeg -i in.mp3 out.wav`), then send it again",
        ) from None


def _shape(block: np.ndarray, split_channels: bool) -> np.ndarray:
    block = np.ascontiguousarray(block, dtype=np.float32)
    return block if split_channels else block[0]


def to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] as 16-bit little-endian PCM (the live protocol's frames, WAV data)."""
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def load_audio(path: Path, *, split_channels: bool = False, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole file as one float32 array (short clips; long files should use `stream_audio`)."""
    blocks = list(
        stream_audio(path, split_channels=split_channels, sample_rate=sample_rate, block_seconds=600)
    )
    return np.concatenate(blocks, axis=-1) if blocks else np.zeros(0, dtype=np.float32)


class PcmBuffer:
    """A whole recording as int16 blocks (2 bytes a sample: a 2-hour meeting is 230 MB, not 460 MB
    of float32 and its copies); `read` returns float32 for any span."""

    def __init__(self, blocks: list[np.ndarray], sample_rate: int = SAMPLE_RATE) -> None:
        self._blocks = blocks
        self._starts = np.cumsum([0] + [len(b) for b in blocks])
        self.sample_rate = sample_rate

    @classmethod
    def decode(
        cls, path: Path, progress: Callable[[float], None] | None = None, *, channel: int | None = None
    ) -> PcmBuffer:
        """The recording down-mixed to mono, or only its `channel` (0 = left, 1 = right)."""
        duration = probe(path).duration
        blocks = []
        done = 0
        for block in stream_audio(path, block_seconds=30.0, split_channels=channel is not None):
            block = block if channel is None else block[channel]
            blocks.append((np.clip(block, -1.0, 1.0) * 32767).astype(np.int16))
            done += len(block)
            if progress and duration:
                progress(min(1.0, done / SAMPLE_RATE / duration))
        return cls(blocks)

    def scaled(self, gain: float) -> PcmBuffer:
        """The recording times `gain`, clipped to full scale."""
        return PcmBuffer(
            [np.clip(b.astype(np.float32) * gain, -32768, 32767).astype(np.int16) for b in self._blocks],
            self.sample_rate,
        )

    @property
    def num_samples(self) -> int:
        return int(self._starts[-1])

    @property
    def duration(self) -> float:
        return self.num_samples / self.sample_rate

    def read(self, start: int, end: int) -> np.ndarray:
        start, end = max(0, start), min(end, self.num_samples)
        if end <= start:
            return np.zeros(0, dtype=np.float32)
        first = int(np.searchsorted(self._starts, start, side="right") - 1)
        last = int(np.searchsorted(self._starts, end, side="left"))
        pieces = [b for b in self._blocks[first:last]]
        joined = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        offset = start - int(self._starts[first])
        return joined[offset : offset + end - start].astype(np.float32) / 32768.0

    def read_seconds(self, start: float, end: float) -> np.ndarray:
        return self.read(round(start * self.sample_rate), round(end * self.sample_rate))
