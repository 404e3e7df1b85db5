"""The demo meeting: `samples/demo_meeting.txt` spoken by four Kokoro voices in a small room.

The script (one turn a line, "Speaker Name: text") is the project's own (CC0 1.0); the voices are
Kokoro-82M's (Apache-2.0), through the same model and `kokoro-js@1.2.1` voice files as
`bench/common/synth.py`. Kokoro has one French voice, `ff_siwis`; the other three speakers are even
blends of it with an English voice, which keeps the French pronunciation and changes the timbre
enough for the diarizer to tell them apart. Each speaker also has a speaking rate, a distance from the
microphone (a level, -1 to -7 dB) and a room response of their own: a synthetic impulse response (direct
sound, then exponentially decaying noise, RT60 0.35 s). Turns follow each other with 0.35 to 0.8 s of
pause; the room has a low pink noise (about 35 dB under the speech) and a faint 50-Hz hum.

The mix is written once, as 16-kHz mono MP3 (48 kbit/s) at `samples/demo_meeting.mp3`, with
`samples/demo_meeting.json` beside it: each turn's speaker, start, end and text in the recording.

    python -m bench.common.demo_meeting          # writes samples/demo_meeting.mp3 and .json
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import av
import numpy as np
import soxr
from scipy.signal import fftconvolve, lfilter

from bench.common.synth import TTS_RATE, VOICES_PACKAGE, _kokoro, voice_styles
from greffier.audio import SAMPLE_RATE

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SCRIPT = SAMPLES / "demo_meeting.txt"
AUDIO = SAMPLES / "demo_meeting.mp3"
SIDECAR = SAMPLES / "demo_meeting.json"
SEED = 27
RT60_S = 0.35
BITRATE = 48_000


@dataclass(frozen=True)
class Voice:
    blend: dict[str, float]
    speed: float
    gain_db: float
    """Distance from the microphone."""


VOICES = {
    "Claire Martin": Voice({"ff_siwis": 1.0}, 1.0, -1.0),
    "Julien Moreau": Voice({"ff_siwis": 0.5, "am_adam": 0.5}, 1.05, -4.0),
    "Sophie Bernard": Voice({"ff_siwis": 0.4, "af_bella": 0.6}, 0.95, -7.0),
    "Karim Haddad": Voice({"ff_siwis": 0.5, "bm_george": 0.5}, 0.92, -2.5),
}


@dataclass(frozen=True)
class Line:
    speaker: str
    text: str


@dataclass(frozen=True)
class Turn:
    speaker: str
    start: float
    end: float
    text: str


def read_script(path: Path = SCRIPT) -> list[Line]:
    """The turns of a meeting script; a line that is neither a comment nor "Name: text" is an error."""
    lines = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        match = re.fullmatch(r"([^:#]+?):\s+(.+)", raw.strip())
        if match is None:
            raise ValueError(f"{path}:{number}: not 'Speaker Name: text': {raw!r}")
        lines.append(Line(match[1], match[2]))
    return lines


def _room_response(rng: np.random.Generator) -> np.ndarray:
    """Direct sound then a decaying diffuse tail (-60 dB at RT60), at 16 kHz."""
    length = round(RT60_S * SAMPLE_RATE)
    t = np.arange(length) / SAMPLE_RATE
    tail = rng.standard_normal(length) * 10 ** (-3 * t / RT60_S) * 0.12
    tail[: round(0.004 * SAMPLE_RATE)] = 0.0  # the first reflections come a few ms after the direct sound
    tail[0] = 1.0
    return tail.astype(np.float32)


def _room_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Pink noise (Kellet's filter on white noise) with a faint 50-Hz hum."""
    white = rng.standard_normal(n)
    pink = lfilter(
        [0.049922035, -0.095993537, 0.050612699, -0.004408786],
        [1, -2.494956002, 2.017265875, -0.522189400],
        white,
    )
    pink /= np.sqrt(np.mean(pink**2))
    hum = 0.3 * np.sin(2 * np.pi * 50 * np.arange(n) / SAMPLE_RATE)
    return (pink + hum).astype(np.float32)


def _turn_audio(line: Line, styles: dict[str, np.ndarray], response: np.ndarray) -> np.ndarray:
    voice = VOICES[line.speaker]
    style = sum(weight * styles[name] for name, weight in voice.blend.items())
    pieces = []
    for sentence in (s for s in re.split(r"(?<=[.?!])\s+", line.text) if s):
        audio, _ = _kokoro().create(sentence, voice=style, speed=voice.speed, lang="fr-fr")
        pieces += [soxr.resample(np.asarray(audio, dtype=np.float32), TTS_RATE, SAMPLE_RATE), np.zeros(4000)]
    dry = np.concatenate(pieces[:-1])
    dry *= 0.1 / np.sqrt(np.mean(dry**2)) * 10 ** (voice.gain_db / 20)
    return fftconvolve(dry, response)[: len(dry) + len(response) // 2].astype(np.float32)


def make_meeting(script: Path = SCRIPT) -> tuple[np.ndarray, list[Turn]]:
    """The meeting at 16 kHz and its turns' times."""
    lines = read_script(script)
    unknown = {line.speaker for line in lines} - VOICES.keys()
    if unknown:
        raise ValueError(f"{script}: no voice for {', '.join(sorted(unknown))}; add them to VOICES")
    rng = np.random.default_rng(SEED)
    styles = voice_styles(tuple(sorted({name for v in VOICES.values() for name in v.blend})))
    responses = {name: _room_response(rng) for name in VOICES}
    mix: list[np.ndarray] = [np.zeros(round(0.6 * SAMPLE_RATE), dtype=np.float32)]
    turns, at = [], len(mix[0])
    for line in lines:
        audio = _turn_audio(line, styles, responses[line.speaker])
        turns.append(
            Turn(
                line.speaker, round(at / SAMPLE_RATE, 3), round((at + len(audio)) / SAMPLE_RATE, 3), line.text
            )
        )
        pause = np.zeros(round(rng.uniform(0.35, 0.8) * SAMPLE_RATE), dtype=np.float32)
        mix += [audio, pause]
        at += len(audio) + len(pause)
    speech = np.concatenate(mix)
    noise = _room_noise(len(speech), rng) * 0.1 * 10 ** (-35 / 20)
    return np.clip(speech + noise, -1.0, 1.0), turns


def write_mp3(samples: np.ndarray, target: Path) -> None:
    with av.open(str(target), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = BITRATE
        frame = av.AudioFrame.from_ndarray(
            (samples * 32767).astype("<i2")[None, :], format="s16", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def main() -> None:
    samples, turns = make_meeting()
    write_mp3(samples, AUDIO)
    meta = {
        "script": SCRIPT.name,
        "audio": AUDIO.name,
        "duration": round(len(samples) / SAMPLE_RATE, 3),
        "voices": {name: asdict(v) for name, v in VOICES.items()},
        "voices_package": VOICES_PACKAGE,
        "turns": [asdict(t) for t in turns],
    }
    SIDECAR.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{AUDIO}: {meta['duration']:.0f} s, {len(turns)} turns, {AUDIO.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
