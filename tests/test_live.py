"""Live transcription on real recordings, streamed faster than real time through the protocol loop.

The same `run_stream` serves the WebSocket and `greffier live`; here its transport is two Python
callables (frames in, JSON text out).
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from functools import cache

import av
import numpy as np
import pytest

from bench.common.text import normalise, wer
from greffier.asr.streaming import LocalAgreement
from greffier.audio import PcmBuffer, load_audio, probe, stream_audio, to_pcm16
from greffier.config import get_settings
from greffier.live.protocol import SERVER_MESSAGE, AudioFormat
from greffier.live.session import LiveBusy, LiveHub, LiveOptions, run_stream
from greffier.pipeline import TranscribeOptions, transcribe_file
from greffier.transcript import Transcript, Word
from greffier.vad import SpeechTracker, VadSettings, speech_regions
from tests.conftest import eval_file, run_cli

SPPAS = "sppas-samples/samples/samples-fra/F_F_B003-P8.wav"
TCOF = "linto-ssak/tests/data/audio/tcof13bits.wav"
SHORT = "whisper-timestamped/tests/data/punctuations.mp3"  # "Dis-moi, est-ce que l'avion vole ?"
END = '{"type": "end"}'


def pcm_frames(relative: str, seconds: float = 0.1) -> list[bytes]:
    return [to_pcm16(block) for block in stream_audio(eval_file(relative), block_seconds=seconds)]


def webm_chunks(relative: str, size: int = 1000) -> list[bytes]:
    """The clip as WebM/Opus at 48 kHz, cut every `size` bytes (MediaRecorder cuts by time, anywhere)."""
    samples = load_audio(eval_file(relative))
    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        stream = container.add_stream("libopus", rate=48000, layout="mono")
        frame = av.AudioFrame.from_ndarray(
            (samples[None] * 32767).astype(np.int16), format="s16", layout="mono"
        )
        frame.sample_rate = 16000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for resampled in [*resampler.resample(frame), *resampler.resample(None)]:
            container.mux(stream.encode(resampled))
        container.mux(stream.encode(None))
    data = out.getvalue()
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.fixture(scope="module")
def hub() -> LiveHub:
    return LiveHub(get_settings())


async def stream(hub: LiveHub, frames: list, options: LiveOptions) -> tuple[list[dict], Transcript]:
    """Send `frames` (bytes, text, or a number: seconds to stay silent), then end."""
    messages: list[dict] = []
    pending = iter(frames)

    async def receive() -> bytes | str:
        frame = next(pending, END)
        if isinstance(frame, float):
            await asyncio.sleep(frame)
            return END
        return frame

    async def send(text: str) -> None:
        message = json.loads(text)
        SERVER_MESSAGE.validate_python(message)
        messages.append(message)

    async with hub.stream(options) as live:
        transcript = await run_stream(live, receive, send)
    return messages, transcript


@cache
def batch(relative: str) -> Transcript:
    return transcribe_file(eval_file(relative), TranscribeOptions(language="fr"))


@pytest.fixture(scope="module")
def concurrent(hub: LiveHub) -> dict[str, tuple[list[dict], Transcript]]:
    """The two recordings streamed at once, as fast as they can be recognised, the passes scheduled by
    the audio alone (as `greffier live FILE` does): the same finals however busy the machine is."""

    async def both():
        return await asyncio.gather(
            *(stream(hub, pcm_frames(c), hub.options(language="fr", adaptive=False)) for c in (SPPAS, TCOF))
        )

    return dict(zip((SPPAS, TCOF), asyncio.run(both()), strict=True))


def finals(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m["type"] == "final"]


def test_finals_are_as_accurate_as_batch(concurrent):
    from bench.common.references import french

    references = {r.audio: r for r in french()}
    extra, texts = 0.0, {}
    for clip in (SPPAS, TCOF):
        reference = references[eval_file(clip)]
        texts[clip] = " ".join(m["text"] for m in finals(concurrent[clip][0]))
        live, offline = wer(reference.text, texts[clip]), wer(reference.text, batch(clip).text)
        extra += (live - offline) * len(normalise(reference.text, "fr").split())
    # Word errors live makes beyond batch on the two recordings together (105 reference words). The
    # passes depend on the audio alone, so a machine gives the same figure run after run, busy or idle,
    # on 1 or 2 threads; it moves with the CPU's CTranslate2 kernels (F_F_B003-P8 + tcof13bits):
    # oneDNN AVX2, an AMD EPYC's, 1 + 3; MKL AVX-512, an Intel Xeon's, 3 + 3; oneDNN AVX-512 3 + 5,
    # without VNNI 3 + 5; MKL AVX2 3 + 6. Passes every second of audio instead gave 4 + 11.
    assert extra <= 9 + 1e-9, f"live makes {extra:.0f} more word errors than batch: {texts}"


def test_finals_never_overlap_nor_go_back_in_time(concurrent):
    for clip, (messages, transcript) in concurrent.items():
        sent = finals(messages)
        assert len(sent) >= 2 and [m["id"] for m in sent] == list(range(len(sent)))
        assert messages[-1]["type"] == "end" and messages[-1]["segments"] == len(sent)
        assert [s.text for s in transcript.segments] == [m["text"] for m in sent]
        previous_end = 0.0
        for m in sent:
            assert previous_end <= m["start"] <= m["end"] <= probe(eval_file(clip)).duration + 0.05
            for word in m["words"]:
                assert m["start"] <= word["start"] <= word["end"] <= m["end"]
                assert word["start"] >= previous_end
                previous_end = word["end"]
            previous_end = m["end"]


def test_two_concurrent_streams_stay_isolated(concurrent):
    sppas, tcof = (" ".join(m["text"] for m in finals(concurrent[c][0])).lower() for c in (SPPAS, TCOF))
    assert "porte" in sppas and "chat" in sppas and "vacances" not in sppas
    assert "terminer" in tcof and "vacances" in tcof and "porte" not in tcof
    for clip, (_, transcript) in concurrent.items():
        assert transcript.duration == pytest.approx(probe(eval_file(clip)).duration, abs=0.05)
        assert transcript.language == "fr"


def test_speech_after_a_long_silence_is_heard(hub):
    # "Bonjour ! Est-ce que vous allez bien ?" at ~0.4 s and again at ~32.9 s (whisper-timestamped's
    # test); a VAD state carried over the 30-s silence missed the second one.
    frames = pcm_frames("whisper-timestamped/tests/data/bonjour_vous_allez_bien.mp3")
    _, transcript = asyncio.run(stream(hub, frames, hub.options(language="fr")))
    bonjours = [w for w in transcript.words if w.text.lower().strip("!.,? ").startswith("bonjour")]
    assert [round(w.start) for w in bonjours] == [0, 33], transcript.text
    assert not [w for w in transcript.words if 4.0 < w.start < 32.0], "nothing in the silence"


def test_bad_frames_get_an_error_and_the_stream_goes_on(hub):
    audio = pcm_frames(SHORT)
    bad = [webm_chunks(SHORT)[0], b"", b"\x01\x02\x03", b"\x00" * (64 * 1024 + 2), '{"type": "pause"}']
    options = hub.options(language="fr", max_frame_bytes=64 * 1024)
    messages, transcript = asyncio.run(stream(hub, [*bad, *audio], options))
    errors = [m for m in messages if m["type"] == "error"]
    assert [e["code"] for e in errors] == [
        "wrong_format",
        "empty_frame",
        "bad_frame",
        "frame_too_large",
        "bad_message",
    ]
    assert not any(e["fatal"] for e in errors) and all(e["fix"] for e in errors)
    assert "avion" in transcript.text.lower()
    assert messages[-1] == {**messages[-1], "type": "end", "reason": "client"}
    assert transcript.duration == pytest.approx(probe(eval_file(SHORT)).duration, abs=0.05)


def test_webm_opus_chunks_decode_as_they_arrive(hub):
    messages, transcript = asyncio.run(stream(hub, webm_chunks(SHORT), hub.options(format=AudioFormat.WEBM)))
    assert "avion" in transcript.text.lower() and transcript.language == "fr"
    assert transcript.duration == pytest.approx(probe(eval_file(SHORT)).duration, abs=0.1)
    assert not [m for m in messages if m["type"] == "error"]


@pytest.mark.parametrize("position", ["first", "later"])
def test_a_broken_webm_stream_ends_cleanly(hub, position):
    chunks = webm_chunks(SHORT)
    garbage = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    frames = [garbage, *chunks] if position == "first" else [*chunks[:3], garbage * 4, *chunks[3:]]
    messages, _ = asyncio.run(stream(hub, frames, hub.options(format=AudioFormat.WEBM, language="fr")))
    errors = [m for m in messages if m["type"] == "error"]
    assert len(errors) == 1 and errors[0]["fatal"], messages
    assert errors[0]["code"] == ("wrong_format" if position == "first" else "bad_frame")
    # A bad header stops the stream at once; corruption later is found when its bytes give no audio.
    assert messages[-1]["type"] == "end" and messages[-1]["reason"] == (
        "error" if position == "first" else "client"
    )


def test_an_idle_stream_is_closed_after_the_timeout(hub):
    started = time.monotonic()
    frames = [*pcm_frames(SHORT)[:10], 30.0]  # one second of audio, then nothing
    messages, transcript = asyncio.run(stream(hub, frames, hub.options(language="fr", idle_timeout=0.5)))
    assert time.monotonic() - started < 20
    assert [m["code"] for m in messages if m["type"] == "error"] == ["idle_timeout"]
    assert messages[-1]["type"] == "end" and messages[-1]["reason"] == "idle_timeout"
    assert transcript.duration == pytest.approx(1.0, abs=0.05)


def test_streams_beyond_the_limit_are_refused():
    hub = LiveHub(get_settings().model_copy(update={"live_max_streams": 1}))

    async def two():
        async with hub.stream(hub.options()):
            with pytest.raises(LiveBusy, match="live streams are open"):
                async with hub.stream(hub.options()):
                    pass
        async with hub.stream(hub.options()):  # the slot is free again
            pass

    asyncio.run(two())


def test_cli_streams_a_file_at_real_time_as_json_lines():
    started = time.monotonic()
    result = run_cli("live", str(eval_file(SHORT)), "--realtime", "--json", "--language", "fr")
    assert result.returncode == 0, result.stderr
    messages = [SERVER_MESSAGE.validate_json(line) for line in result.stdout.splitlines()]
    assert messages[-1].type == "end" and messages[-1].language == "fr"
    assert "avion" in " ".join(m.text for m in messages if m.type == "final").lower()
    assert time.monotonic() - started >= probe(eval_file(SHORT)).duration


def test_cli_says_clearly_when_there_is_no_microphone():
    result = run_cli("live", "--mic")
    assert result.returncode == 2
    assert "no microphone" in result.stderr or "no audio backend" in result.stderr


# -- the pieces, on their own ----------------------------------------------------------------------
def _words(text: str, start: float = 0.0) -> list[Word]:
    return [Word(start + i, start + i + 0.9, f" {w}") for i, w in enumerate(text.split())]


def test_local_agreement_commits_what_two_passes_agree_on():
    agreement = LocalAgreement()
    assert agreement.insert(_words("hier soir j'ai")) == []
    committed = agreement.insert(_words("hier soir j'ai ouvert"))
    assert [w.text.strip() for w in committed] == ["hier", "soir", "j'ai"]
    # The next pass re-decodes the window: the committed words are not committed again.
    assert [w.text.strip() for w in agreement.insert(_words("Hier soir, j'ai ouvert la porte"))] == ["ouvert"]
    assert [w.text.strip() for w in agreement.commit_all(before=10)] == ["la", "porte"]


def test_local_agreement_follows_the_text_when_word_times_move():
    agreement = LocalAgreement()
    agreement.insert(_words("hier soir j'ai ouvert"))
    agreement.insert(_words("hier soir j'ai ouvert la"))  # commits up to "ouvert", which ends at 3.9
    # The next pass puts every word 0.3 s earlier: "la" (3.7 s) starts before the committed end.
    moved = _words("hier soir j'ai ouvert la porte", start=-0.3)
    assert agreement.insert(moved) == [moved[4]]
    assert [w.text.strip() for w in agreement.commit_all(before=10)] == ["porte"]


def test_speech_tracker_finds_the_regions_of_the_whole_file_vad():
    samples = load_audio(eval_file(TCOF))
    tracker = SpeechTracker(VadSettings())
    for i in range(0, len(samples), 1234):  # frames of any size
        tracker.feed(samples[i : i + 1234])
    pcm = PcmBuffer([(samples * 32767).astype(np.int16)])
    whole = list(speech_regions(pcm.read, pcm.num_samples, VadSettings(speech_pad_ms=0)))
    closed = [(round(r.start, 2), round(r.end, 2)) for r in tracker.closed]
    assert closed == [(round(r.start, 2), round(r.end, 2)) for r in whole[: len(closed)]]
    assert len(closed) >= 4 and tracker.open_since is not None  # the last one runs to the end
