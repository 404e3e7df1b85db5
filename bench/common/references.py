"""The human-referenced recordings of ../shared/eval used for WER, per language."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EVAL = Path(
    os.environ.get("GREFFIER_EVAL_DIR", Path(__file__).resolve().parents[2].parent / "shared" / "eval")
)


@dataclass(frozen=True)
class Reference:
    audio: Path
    text: str
    language: str

    @property
    def name(self) -> str:
        return self.audio.name


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def french() -> list[Reference]:
    sppas = EVAL / "sppas-samples"
    refs = [
        Reference(wav, _read(sppas / "DERIVED" / f"{wav.stem}.norm.txt"), "fr")
        for wav in sorted((sppas / "samples" / "samples-fra").glob("*.wav"))
        if (sppas / "DERIVED" / f"{wav.stem}.norm.txt").exists()
    ]
    ssak = EVAL / "linto-ssak"
    for name, audio in (("tcof13bits", "tcof13bits.wav"), ("tcof2channels", "tcof2channels.wav")):
        refs.append(
            Reference(ssak / "tests/data/audio" / audio, _read(ssak / "DERIVED" / f"{name}.txt"), "fr")
        )
    return [r for r in refs if r.text.strip()]


def french_call() -> Reference:
    ssak = EVAL / "linto-ssak"
    return Reference(ssak / "tests/data/audio/edf8k.mp3", _read(ssak / "DERIVED/edf8k.txt"), "fr")


def english() -> list[Reference]:
    sppas = EVAL / "sppas-samples/samples/samples-eng"
    return [
        Reference(
            EVAL / "faster-whisper/tests/data/jfk.flac",
            "And so my fellow Americans, ask not what your country can do for you, "
            "ask what you can do for your country.",
            "en",
        ),
        Reference(sppas / "ENG_M15_ENG_T02.wav", _read(sppas / "eng_T02.txt"), "en"),
        Reference(sppas / "ENG_M15_ENG_T33.wav", _read(sppas / "eng_T33.txt"), "en"),
        Reference(sppas / "oriana1.wav", _read(sppas / "oriana1.txt"), "en"),
        Reference(EVAL / "speech_recognition/examples/english.wav", "one two three", "en"),
    ]
