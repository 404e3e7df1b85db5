"""Transcription speed and accuracy: plain faster-whisper versus Greffier, side by side.

    python -m bench asr                  # French + English reference files and the edf8k call
    python -m bench.asr --long 7200      # also: peak memory of Greffier on a 2-hour recording

Each engine runs in its own warm subprocess (so that peak RSS is each one's own); each set of files
goes to one engine then the other, twice, alternately, so that the machine's load weighs on both
alike, and each engine's faster round counts. Same files, model (packaged Whisper base, int8), beam
size 5, threads, language given, word timestamps on. The baseline is `WhisperModel.transcribe` with
its default (sequential) decoding, file after file; for reference, faster-whisper's own
`BatchedInferencePipeline` (batch 8) runs beside it; Greffier gets the files as `greffier transcribe
FILE...` does (their chunks decoded together).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common.references import Reference, english, french, french_call
from bench.common.text import corpus_wer

ENGINES = ("plain", "batched", "greffier")
"""plain: the baseline; batched: faster-whisper's own `BatchedInferencePipeline` (batch 8, no
context, no fallback), for reference: the speed that batching alone gives on this machine."""


def _worker(engine: str) -> None:
    """Runs in a subprocess: reads a JSON list of `[path, language]`, transcribes them all (plain:
    one after the other; Greffier: as `greffier transcribe FILE...` does, together), answers one JSON line."""
    from greffier.config import get_settings
    from greffier.models import ensure_model

    settings = get_settings()
    if engine in ("plain", "batched"):
        from faster_whisper import BatchedInferencePipeline, WhisperModel

        model = WhisperModel(
            str(ensure_model("whisper-base")), device="cpu", compute_type="int8", cpu_threads=settings.threads
        )
        pipeline = BatchedInferencePipeline(model) if engine == "batched" else model
        extra = {"batch_size": 8} if engine == "batched" else {}

        def run(files: list[tuple[str, str]]) -> list[str]:
            texts = []
            for path, language in files:
                segments, _ = pipeline.transcribe(
                    path, language=language, beam_size=5, word_timestamps=True, **extra
                )
                texts.append(" ".join(s.text.strip() for s in segments))
            return texts
    else:
        from greffier.pipeline import TranscribeOptions, transcribe_files

        def run(files: list[tuple[str, str]]) -> list[str]:
            texts = [""] * len(files)
            options = TranscribeOptions(language=files[0][1])
            for index, transcript in transcribe_files([p for p, _ in files], options):
                texts[index] = transcript.text
            return texts

    for line in sys.stdin:
        files = [tuple(f) for f in json.loads(line)]
        start = time.perf_counter()
        texts = run(files)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "texts": texts, "peak_mb": peak}), flush=True)


class Worker:
    """One engine in its own process; files are sent one at a time."""

    def __init__(self, engine: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.asr", "--worker", engine],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])},
        )

    def transcribe(self, refs: list[Reference]) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps([[str(r.audio), r.language] for r in refs]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker died on {[r.name for r in refs]}")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def run_side_by_side(refs: list[Reference], rounds: int = 2) -> dict[str, dict]:
    """Both engines warmed up, then the whole set to one engine and then the other, `rounds` times
    (alternating, so that the machine's load weighs on both alike); the faster round counts."""
    workers = {engine: Worker(engine) for engine in ENGINES}
    for worker in workers.values():
        worker.transcribe(english()[:1])
    results: dict[str, dict] = {}
    for _ in range(rounds):
        for engine, worker in workers.items():
            run = worker.transcribe(refs)
            if engine not in results or run["seconds"] < results[engine]["seconds"]:
                results[engine] = run
    for worker in workers.values():
        worker.close()
    return results


def compare(title: str, refs: list[Reference]) -> None:
    from greffier.audio import probe

    audio_seconds = sum(probe(r.audio).duration for r in refs)
    runs = run_side_by_side(refs)
    print(f"\n## {title}: {len(refs)} files, {audio_seconds:.0f} s of audio")
    summary = {}
    for engine, run in runs.items():
        wer = corpus_wer(
            [(r.text, text) for r, text in zip(refs, run["texts"], strict=True)], refs[0].language
        )
        summary[engine] = (run["seconds"] / audio_seconds, wer, run["peak_mb"])
        print(f"{engine:9s} RTF {summary[engine][0]:.3f}  WER {wer:.3f}  peak RSS {run['peak_mb']:.0f} MB")
    for engine in ("batched", "greffier"):
        print(
            f"ratio: {engine} is {summary['plain'][0] / summary[engine][0]:.2f}x faster than plain, "
            f"WER {100 * (summary[engine][1] - summary['plain'][1]):+.1f} points, "
            f"peak RSS x{summary[engine][2] / summary['plain'][2]:.2f}"
        )


def long_memory(seconds: float) -> None:
    """Peak RSS of Greffier on a recording of `seconds` (the edf8k call repeated, encoded as Opus)."""
    import av
    import numpy as np

    from greffier.audio import load_audio

    clip = (load_audio(french_call().audio) * 32767).astype(np.int16)[None, :]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.ogg"
        written = 0
        with av.open(str(path), "w") as out:
            stream = out.add_stream("libopus", rate=16000, layout="mono")
            while written < seconds * 16000:
                frame = av.AudioFrame.from_ndarray(clip, format="s16", layout="mono")
                frame.sample_rate = 16000
                for packet in stream.encode(frame):
                    out.mux(packet)
                written += clip.shape[1]
            for packet in stream.encode(None):
                out.mux(packet)
        worker = Worker("greffier")
        start = time.perf_counter()
        peak = worker.transcribe([Reference(path, "", "fr")])["peak_mb"]
        elapsed = time.perf_counter() - start
        worker.close()
    hours = written / 16000 / 3600
    print(
        f"\n## long recording: {hours:.2f} h, Greffier peak RSS {peak:.0f} MB, RTF {elapsed / (hours * 3600):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=ENGINES)
    parser.add_argument("--long", type=float, default=0.0, help="seconds of audio for the memory test")
    args, _ = parser.parse_known_args()
    if args.worker:
        _worker(args.worker)
        return
    compare("French telephone call (edf8k, 187 s)", [french_call()])
    compare("French, all files (edf8k, SPPAS, TCOF)", [french_call(), *french()])
    compare("English (jfk, SPPAS, english.wav)", english())
    if args.long:
        long_memory(args.long)


if __name__ == "__main__":
    main()
