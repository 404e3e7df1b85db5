"""Transcription speed and accuracy: plain faster-whisper versus Greffier, side by side.

    python -m bench asr                  # French + English reference files and the edf8k call
    python -m bench.asr --long 7200      # also: peak memory of Greffier on a 2-hour recording

Each engine runs in its own warm subprocess (so that peak RSS is each one's own) and the files are
sent to them alternately, so that the machine's load weighs on both alike. Same files, model
(packaged Whisper base, int8), beam size 5, threads, language given, word timestamps on. The
baseline is `WhisperModel.transcribe` with its default (sequential) decoding.
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

ENGINES = ("plain", "greffier")


def _worker(engine: str) -> None:
    """Runs in a subprocess: reads `[path, language]` JSON lines, answers one JSON line each."""
    from greffier.config import get_settings
    from greffier.models import ensure_model

    settings = get_settings()
    if engine == "plain":
        from faster_whisper import WhisperModel

        model = WhisperModel(
            str(ensure_model("whisper-base")), device="cpu", compute_type="int8", cpu_threads=settings.threads
        )

        def run(path: str, language: str) -> str:
            segments, _ = model.transcribe(path, language=language, beam_size=5, word_timestamps=True)
            return " ".join(s.text.strip() for s in segments)
    else:
        from greffier.pipeline import TranscribeOptions, transcribe_file

        def run(path: str, language: str) -> str:
            return transcribe_file(path, TranscribeOptions(language=language)).text

    for line in sys.stdin:
        path, language = json.loads(line)
        start = time.perf_counter()
        text = run(path, language)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"seconds": seconds, "text": text, "peak_mb": peak}), flush=True)


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

    def transcribe(self, ref: Reference) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(json.dumps([str(ref.audio), ref.language]) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker died on {ref.audio}")
        return json.loads(line)

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def run_side_by_side(refs: list[Reference]) -> dict[str, dict[str, dict]]:
    """Both engines warmed up, then every file to one engine and then the other."""
    workers = {engine: Worker(engine) for engine in ENGINES}
    for worker in workers.values():
        worker.transcribe(english()[0])  # model load and first-call costs, off the clock
    results: dict[str, dict[str, dict]] = {engine: {} for engine in ENGINES}
    for ref in refs:
        for engine, worker in workers.items():
            results[engine][str(ref.audio)] = worker.transcribe(ref)
    for worker in workers.values():
        worker.close()
    return results


def compare(title: str, refs: list[Reference]) -> None:
    from greffier.audio import probe

    durations = {str(r.audio): probe(r.audio).duration for r in refs}
    audio_seconds = sum(durations.values())
    runs = run_side_by_side(refs)
    print(f"\n## {title}: {len(refs)} files, {audio_seconds:.0f} s of audio")
    print(f"{'file':28s} {'plain RTF':>9s} {'greffier RTF':>12s} {'plain WER':>9s} {'greffier WER':>12s}")
    for r in refs:
        key = str(r.audio)
        cells = [
            (
                runs[e][key]["seconds"] / durations[key],
                corpus_wer([(r.text, runs[e][key]["text"])], r.language),
            )
            for e in ENGINES
        ]
        print(
            f"{r.name[:28]:28s} {cells[0][0]:9.3f} {cells[1][0]:12.3f} {cells[0][1]:9.3f} {cells[1][1]:12.3f}"
        )
    summary = {}
    for engine, rows in runs.items():
        seconds = sum(rows[str(r.audio)]["seconds"] for r in refs)
        wer = corpus_wer([(r.text, rows[str(r.audio)]["text"]) for r in refs], refs[0].language)
        summary[engine] = (seconds / audio_seconds, wer, max(row["peak_mb"] for row in rows.values()))
    for engine, (rtf, wer, peak) in summary.items():
        print(f"{engine:9s} RTF {rtf:.3f}  WER {wer:.3f}  peak RSS {peak:.0f} MB")
    print(
        f"ratio: greffier is {summary['plain'][0] / summary['greffier'][0]:.2f}x faster, "
        f"WER {100 * (summary['greffier'][1] - summary['plain'][1]):+.1f} points, "
        f"peak RSS x{summary['greffier'][2] / summary['plain'][2]:.2f}"
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
        peak = worker.transcribe(Reference(path, "", "fr"))["peak_mb"]
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
    compare("French (SPPAS, TCOF)", french())
    compare("English (jfk, SPPAS, english.wav)", english())
    if args.long:
        long_memory(args.long)


if __name__ == "__main__":
    main()
