"""Decoding: every common container and codec, mono or stereo, any rate; bad input named clearly."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from greffier.audio import SAMPLE_RATE, PcmBuffer, load_audio, probe, stream_audio
from greffier.errors import AudioError
from tests.conftest import eval_file

JFK = "faster-whisper/tests/data/jfk.flac"

# (file name, codec, rate, channels): what phones, browsers, recorders and video tools produce
FORMATS = [
    ("a.wav", "pcm_s16le", 44100, 2),
    ("a.mp3", "mp3", 22050, 1),
    ("a.flac", "flac", 48000, 2),
    ("a.ogg", "libopus", 48000, 1),
    ("a.opus", "libopus", 48000, 2),
    ("a.m4a", "aac", 44100, 2),
    ("a.webm", "libopus", 48000, 1),
    ("a.mp4", "aac", 32000, 1),
    ("a.mkv", "mp3", 16000, 2),
    ("a-8k.wav", "pcm_s16le", 8000, 1),
]


def encode(source: np.ndarray, target: Path, codec: str, rate: int, channels: int) -> None:
    """Write a real clip to `target` with PyAV, resampled and up-mixed as asked."""
    layout = "stereo" if channels == 2 else "mono"
    with av.open(str(target), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(
            (source * 32767).astype(np.int16)[None, :], format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        resampler = av.AudioResampler(format=stream.codec_context.format.name, layout=layout, rate=rate)
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            for packet in stream.encode(resampled):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


@pytest.fixture(scope="module")
def jfk() -> np.ndarray:
    return load_audio(eval_file(JFK))


@pytest.mark.parametrize(("name", "codec", "rate", "channels"), FORMATS)
def test_decodes_common_formats_to_16k_mono(tmp_path: Path, jfk: np.ndarray, name, codec, rate, channels):
    path = tmp_path / name
    encode(jfk, path, codec, rate, channels)
    audio = load_audio(path)
    assert audio.dtype == np.float32
    assert abs(len(audio) / SAMPLE_RATE - 11.0) < 0.15, "duration kept"
    # same signal: envelope correlation with the original is high (codecs add delay and noise)
    n = min(len(audio), len(jfk))
    env = [np.abs(x[:n]).reshape(-1, 1600).mean(axis=1) for x in (jfk[: n - n % 1600], audio[: n - n % 1600])]
    assert np.corrcoef(env[0], env[1])[0, 1] > 0.9


def test_stereo_split_keeps_channels_apart():
    left, right = load_audio(
        eval_file("faster-whisper/tests/data/stereo_diarization.wav"), split_channels=True
    )
    assert len(left) == len(right) == 5 * SAMPLE_RATE
    assert not np.allclose(left, right)


def test_stream_yields_bounded_blocks():
    blocks = list(stream_audio(eval_file("linto-ssak/tests/data/audio/edf8k.mp3"), block_seconds=30))
    assert all(len(b) == 30 * SAMPLE_RATE for b in blocks[:-1])
    assert (
        abs(
            sum(len(b) for b in blocks) / SAMPLE_RATE
            - probe(eval_file("linto-ssak/tests/data/audio/edf8k.mp3")).duration
        )
        < 0.1
    )


def test_pcm_buffer_reads_any_span_as_float():
    path = eval_file("linto-ssak/tests/data/audio/tcof2channels.wav")
    buffer, whole = PcmBuffer.decode(path), load_audio(path)
    assert buffer.num_samples == len(whole)
    for start, end in [(0, 10), (479_000, 480_500), (100, 50), (len(whole) - 5, len(whole) + 100)]:
        expected = whole[max(0, start) : min(end, len(whole))]
        got = buffer.read(start, end)
        assert got.shape == expected.shape
        assert np.allclose(got, np.clip(expected, -1, 1), atol=1e-3)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d / "empty.mp3", b""), "empty"),
        (lambda d: _write(d / "notes.mp3", b"meeting notes, not audio"), "not a readable audio"),
        (lambda d: _write(d / "noise.m4a", bytes(range(256)) * 64), "not a readable audio"),
        (lambda d: d, "is a directory"),
        (lambda d: d / "missing.wav", "no such file"),
    ],
)
def test_bad_input_names_the_problem(tmp_path: Path, make, message):
    with pytest.raises(AudioError, match=message) as info:
        load_audio(make(tmp_path))
    assert info.value.fix, "every error says what to do"


def test_truncated_file_decodes_what_is_there(tmp_path: Path):
    data = eval_file("linto-ssak/tests/data/audio/edf8k.mp3").read_bytes()
    path = tmp_path / "cut.mp3"
    path.write_bytes(data[: len(data) // 4])
    audio = load_audio(path)
    assert 30 < len(audio) / SAMPLE_RATE < 60


def test_header_without_audio_is_an_error(tmp_path: Path):
    header = eval_file("sppas-samples/samples/samples-fra/AC track_0379.wav").read_bytes()[:44]
    with pytest.raises(AudioError, match=r"no audio frame|no decodable audio"):
        load_audio(_write(tmp_path / "cut.wav", header))
