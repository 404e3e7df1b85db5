"""The faster-whisper (CTranslate2) engine. First version: sequential decoding with the VAD filter."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from faster_whisper import WhisperModel

from greffier.audio import SAMPLE_RATE, load_audio
from greffier.config import Settings
from greffier.models import ensure_model, user_model_dir
from greffier.transcript import Segment, Transcript, Word

WHISPER_FILES = ("model.bin", "config.json", "tokenizer.json")


class WhisperEngine:
    def __init__(
        self, model_dir: Path, *, threads: int, compute_type: str, beam_size: int, name: str
    ) -> None:
        self.name = name
        self.beam_size = beam_size
        self.model = WhisperModel(
            str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=threads
        )

    def transcribe_file(self, path: Path, *, language: str | None, progress) -> Transcript:
        audio = load_audio(path)
        duration = len(audio) / SAMPLE_RATE
        segments, info = self.model.transcribe(
            audio, language=language, beam_size=self.beam_size, word_timestamps=True, vad_filter=True
        )
        out = []
        for i, s in enumerate(segments):
            words = tuple(
                Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                for w in (s.words or ())
            )
            out.append(
                Segment(
                    i,
                    float(s.start),
                    float(s.end),
                    s.text.strip(),
                    words,
                    None,
                    s.avg_logprob,
                    s.no_speech_prob,
                )
            )
            progress("asr", min(1.0, s.end / duration) if duration else 1.0)
        return Transcript(
            language=info.language,
            duration=duration,
            segments=tuple(out),
            language_probability=info.language_probability,
            source=str(path),
            model=self.name,
        )


@lru_cache(maxsize=2)
def _load(model_dir: Path, threads: int, compute_type: str, beam_size: int, name: str) -> WhisperEngine:
    return WhisperEngine(
        model_dir, threads=threads, compute_type=compute_type, beam_size=beam_size, name=name
    )


def get_engine(model: Path | None, settings: Settings) -> WhisperEngine:
    """One engine per (model, settings) per process: the model is loaded once."""
    if model is not None:
        directory = user_model_dir(model, required=WHISPER_FILES, what="Whisper model directory")
        return _load(directory, settings.threads, settings.compute_type, settings.beam_size, str(directory))
    directory = ensure_model("whisper-base", settings)
    return _load(
        directory, settings.threads, settings.compute_type, settings.beam_size, "whisper-base (packaged)"
    )
