"""Live transcription: delay of finals at real-time pace, several streams at once, and WER against batch.

    python -m bench live                    # 4 French recordings, 2 streams at a time
    python -m bench.live --streams 1        # one stream at a time
    python -m bench.live --streams 2 --files F_F_B003-P8.wav tcof13bits.wav

Each recording is sent as 100-ms PCM16 frames at real-time pace (a frame leaves when its audio would
have been recorded) through `run_stream`, the WebSocket's protocol loop, in this process. An
utterance is a speech region of the whole-file VAD (pauses of 0.5 s and more); its delay is the time
from the end of its speech in the audio to the arrival of the final carrying its last word. The
baseline, in the same run once the streams are done: batch transcription of the same files
(`transcribe_file`), both scored against the human references. Targets (2 cores, Whisper base
int8, 2 streams): median delay <= 2 s, 95th percentile <= 4 s. The CPU load (1-min load average,
which counts other programs' work too) is printed with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from dataclasses import dataclass, field

import numpy as np

from bench.common.references import Reference, french
from bench.common.text import corpus_wer
from greffier.asr.streaming import PassStats
from greffier.audio import PcmBuffer
from greffier.cli.live_io import file_frames
from greffier.config import get_settings
from greffier.live.session import LiveHub, run_stream
from greffier.pipeline import TranscribeOptions, transcribe_file
from greffier.vad import Region, VadSettings, speech_regions

DEFAULT_FILES = ("F_F_B003-P8.wav", "tcof13bits.wav", "F_F_C006-P6.wav", "F_F_B003-P9.wav")
TARGET_MEDIAN, TARGET_P95 = 2.0, 4.0


@dataclass
class Run:
    ref: Reference
    finals: list[tuple[float, dict]] = field(default_factory=list)
    """(arrival in seconds from the stream's start, final message)"""
    partials: int = 0
    errors: list[dict] = field(default_factory=list)
    stats: PassStats = field(default_factory=PassStats)

    @property
    def text(self) -> str:
        return " ".join(m["text"] for _, m in self.finals)


async def stream_paced(hub: LiveHub, ref: Reference) -> Run:
    run = Run(ref)
    frames = file_frames(ref.audio, realtime=True)
    started: list[float] = []

    async def receive() -> bytes | str:
        if not started:
            started.append(time.monotonic())
        return await anext(frames, '{"type": "end"}')

    async def send(text: str) -> None:
        message = json.loads(text)
        if message["type"] == "final":
            run.finals.append((time.monotonic() - started[0], message))
        elif message["type"] == "partial":
            run.partials += 1
        elif message["type"] == "error":
            run.errors.append(message)

    async with hub.stream(hub.options(language=ref.language)) as stream:
        await run_stream(stream, receive, send)
        run.stats = stream.stats
    return run


def utterances(ref: Reference) -> list[Region]:
    audio = PcmBuffer.decode(ref.audio)
    return list(speech_regions(audio.read, audio.num_samples, VadSettings(speech_pad_ms=0)))


def delays(run: Run, regions: list[Region]) -> tuple[list[float], int]:
    """Per utterance: arrival of the final with its last word minus the end of its speech."""
    last_arrival: dict[int, float] = {}
    for arrival, message in run.finals:
        for word in message["words"]:
            middle = (word["start"] + word["end"]) / 2
            nearest = min(
                range(len(regions)),
                key=lambda i: max(regions[i].start - middle, middle - regions[i].end, 0.0),
            )
            last_arrival[nearest] = max(last_arrival.get(nearest, 0.0), arrival)
    found = [last_arrival[i] - regions[i].end for i in sorted(last_arrival)]
    return found, len(regions) - len(found)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def stream_all(hub: LiveHub, refs: list[Reference], streams: int) -> list[Run]:
    runs: list[Run] = []
    for i in range(0, len(refs), streams):
        runs += await asyncio.gather(*(stream_paced(hub, ref) for ref in refs[i : i + streams]))
    return runs


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live")
    parser.add_argument("--streams", type=int, default=2, help="streams at once")
    parser.add_argument("--files", nargs="*", default=list(DEFAULT_FILES))
    args = parser.parse_args(argv if argv is not None else [])
    refs = [r for name in args.files for r in french() if r.audio.name == name]
    settings = get_settings()
    hub = LiveHub(settings)
    print(
        f"{len(refs)} files, {args.streams} stream(s) at once, model {hub.engine.name}, {settings.threads} "
        f"threads, beam {settings.live_beam_size}, pause {settings.live_silence_ms} ms, {os.cpu_count()} cores"
    )
    load_before = os.getloadavg()
    cpu_before, wall_before = time.process_time(), time.monotonic()
    runs = asyncio.run(stream_all(hub, refs, args.streams))
    cpu_live, wall_live = time.process_time() - cpu_before, time.monotonic() - wall_before
    load_after = os.getloadavg()
    audio_seconds = sum(PcmBuffer.decode(r.audio).duration for r in refs)

    batch = {
        str(r.audio): transcribe_file(r.audio, TranscribeOptions(language=r.language)).text for r in refs
    }
    print(
        f"\n{'file':20s} {'utt':>4s} {'no text':>7s} {'median':>7s} {'p95':>6s} {'max':>6s} "
        f"{'finals':>6s} {'passes':>6s} {'s/pass':>6s} {'WER live':>8s} {'WER batch':>9s}"
    )
    all_delays: list[float] = []
    for run in runs:
        found, missing = delays(run, utterances(run.ref))
        all_delays += found
        live = corpus_wer([(run.ref.text, run.text)], run.ref.language)
        offline = corpus_wer([(run.ref.text, batch[str(run.ref.audio)])], run.ref.language)
        print(
            f"{run.ref.name[:20]:20s} {len(found) + missing:4d} {missing:7d} {statistics.median(found):7.2f} "
            f"{percentile(found, 95):6.2f} {max(found):6.2f} {len(run.finals):6d} {run.stats.passes:6d} "
            f"{run.stats.seconds / max(1, run.stats.passes):6.2f} {live:8.3f} {offline:9.3f}"
            + (f"  errors: {[e['code'] for e in run.errors]}" if run.errors else "")
        )
    live_wer = corpus_wer([(r.ref.text, r.text) for r in runs])
    batch_wer = corpus_wer([(r.ref.text, batch[str(r.ref.audio)]) for r in runs])
    median, p95 = statistics.median(all_delays), percentile(all_delays, 95)
    print(
        f"\ndelay of finals over {len(all_delays)} utterances: median {median:.2f} s "
        f"({median / TARGET_MEDIAN:.2f}x the {TARGET_MEDIAN:g}-s target), p95 {p95:.2f} s "
        f"({p95 / TARGET_P95:.2f}x the {TARGET_P95:g}-s target)"
    )
    print(f"WER: live {live_wer:.3f}, batch {batch_wer:.3f}, gap {live_wer - batch_wer:+.3f}")
    passes = sum(r.stats.passes for r in runs)
    print(
        f"live recogniser CPU: {cpu_live:.1f} s for {audio_seconds:.0f} s of audio "
        f"({cpu_live / audio_seconds:.2f} CPU-s per audio second, {cpu_live / max(1, passes):.2f} per pass); "
        f"wall time of this process: {wall_live:.0f} s, so it got {cpu_live / wall_live:.2f} of the "
        f"{os.cpu_count()} cores"
    )
    print(
        f"load average (1, 5, 15 min) before {tuple(round(x, 2) for x in load_before)}, "
        f"after the streams {tuple(round(x, 2) for x in load_after)}"
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
