"""Transcription speed and accuracy: plain faster-whisper versus Greffier, side by side.

    python -m bench asr                  # French + English reference files and the edf8k call
    python -m bench.asr --long 7200      # also: peak memory of Greffier on a 2-hour recording

Both engines run in their own subprocess (so that peak RSS is each one's own), on the same files,
model (packaged Whisper base, int8), beam size 5, threads, language given, word timestamps on.
The baseline is `WhisperModel.transcribe` with its default (sequential) decoding.
Prints per-file real-time factor, WER, peak RSS, and the ratios.
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


def _worker(engine: str, files: list[tuple[str, str]]) -> None:
    """Runs in a subprocess: transcribe each (path, language), print one JSON line each."""
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

        transcribe_file(files[0][0], TranscribeOptions(language=files[0][1]))  # load the model once

        def run(path: str, language: str) -> str:
            return transcribe_file(path, TranscribeOptions(language=language)).text

    if engine == "plain":
        run(files[0][0], files[0][1])  # same warm-up for both
    for path, language in files:
        start = time.perf_counter()
        text = run(path, language)
        print(json.dumps({"path": path, "seconds": time.perf_counter() - start, "text": text}), flush=True)


def _run(engine: str, refs: list[Reference]) -> tuple[dict[str, dict], float]:
    files = json.dumps([(str(r.audio), r.language) for r in refs])
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "bench.asr", "--worker", engine, "--files", files],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(["src", "."])},
    )
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    results = {}
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        results[row["path"]] = row
    return results, peak_mb


def compare(title: str, refs: list[Reference]) -> None:
    from greffier.audio import probe

    durations = {str(r.audio): probe(r.audio).duration for r in refs}
    audio_seconds = sum(durations.values())
    runs = {engine: _run(engine, refs) for engine in ("plain", "greffier")}
    print(f"\n## {title}: {len(refs)} files, {audio_seconds:.0f} s of audio")
    print(f"{'file':28s} {'plain RTF':>9s} {'greffier RTF':>12s} {'plain WER':>9s} {'greffier WER':>12s}")
    for r in refs:
        key = str(r.audio)
        cells = []
        for engine in ("plain", "greffier"):
            row = runs[engine][0][key]
            cells.append((row["seconds"] / durations[key], corpus_wer([(r.text, row["text"])], r.language)))
        print(
            f"{r.name[:28]:28s} {cells[0][0]:9.3f} {cells[1][0]:12.3f} {cells[0][1]:9.3f} {cells[1][1]:12.3f}"
        )
    summary = {}
    for engine, (rows, peak) in runs.items():
        seconds = sum(rows[str(r.audio)]["seconds"] for r in refs)
        language = refs[0].language
        summary[engine] = (
            seconds / audio_seconds,
            corpus_wer([(r.text, rows[str(r.audio)]["text"]) for r in refs], language),
            peak,
        )
    for engine, (rtf, wer, peak) in summary.items():
        print(f"{engine:9s} RTF {rtf:.3f}  WER {wer:.3f}  peak RSS {peak:.0f} MB")
    speedup = summary["plain"][0] / summary["greffier"][0]
    print(
        f"ratio: greffier is {speedup:.2f}x faster, WER {100 * (summary['greffier'][1] - summary['plain'][1]):+.1f} "
        f"points, peak RSS x{summary['greffier'][2] / summary['plain'][2]:.2f}"
    )


def long_memory(seconds: float) -> None:
    """Peak RSS of Greffier on a recording of `seconds` (edf8k repeated, encoded as Opus)."""
    import av
    import numpy as np

    from greffier.audio import load_audio

    clip = load_audio(french_call().audio)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.ogg"
        with av.open(str(path), "w") as out:
            stream = out.add_stream("libopus", rate=16000, layout="mono")
            written = 0
            while written < seconds * 16000:
                frame = av.AudioFrame.from_ndarray(
                    np.asarray(clip * 32767, np.int16)[None, :], format="s16", layout="mono"
                )
                frame.sample_rate = 16000
                for packet in stream.encode(frame):
                    out.mux(packet)
                written += len(clip)
            for packet in stream.encode(None):
                out.mux(packet)
        refs = [Reference(path, "", "fr")]
        start = time.perf_counter()
        _, peak = _run("greffier", refs)
        print(
            f"\n## long recording: {written / 16000 / 3600:.2f} h, peak RSS {peak:.0f} MB, RTF "
            f"{(time.perf_counter() - start) / (written / 16000):.3f} (model load included)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker")
    parser.add_argument("--files")
    parser.add_argument("--long", type=float, default=0.0, help="seconds of audio for the memory test")
    args, _ = parser.parse_known_args()
    if args.worker:
        _worker(args.worker, [tuple(f) for f in json.loads(args.files)])
        return
    compare("French (SPPAS, TCOF)", french())
    compare("French telephone call (edf8k)", [french_call()])
    compare("English (jfk, SPPAS, english.wav)", english())
    if args.long:
        long_memory(args.long)


if __name__ == "__main__":
    main()
