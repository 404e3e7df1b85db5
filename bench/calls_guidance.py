"""Guidance on the page: the telephone-CPR prompt, from the provisional words of the live path.

    python -m bench calls_guidance

The calls whose gold has both "unconscious" and "not breathing" (Simsamu dj_2022_msn, the synthetic
where_arret), and every other gold call as a check that no prompt comes where none is due, are
relayed through `LiveCall.relay` as the live path sends them: partials growing word by word, each
sent at its last word's end (Simsamu's word times), then the final. Measured: the words that
triggered the prompt, whether it came from a partial (before the sentence was final), and the delay
from the arrival of that partial to the `guidance` message (the product's own processing; the
recogniser's partial latency comes on top, measured for the red flags by `bench calls_audio`).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from dataclasses import dataclass

from bench.calls import gold_calls, transcript_for
from bench.calls_where import where_calls
from greffier.calls.live import LiveCall
from greffier.calls.simsamu import load_simsamu
from greffier.live.protocol import FinalMessage, PartialMessage
from greffier.transcript import Transcript


@dataclass
class Prompt:
    call: str
    due: bool
    provisional: bool | None = None
    words: str = ""
    at: float | None = None
    delay_ms: float | None = None


def relay_call(name: str, transcript: Transcript, due: bool) -> Prompt:
    out = Prompt(name, due)
    sent_at: list[float] = []

    async def send(text: str) -> None:
        message = json.loads(text)
        if message["type"] == "guidance" and out.provisional is None:
            out.delay_ms = 1000 * (time.perf_counter() - sent_at[-1])
            out.provisional, out.at = message["provisional"], message["time"]

    async def run() -> None:
        relay = LiveCall().relay(send)
        for segment in transcript.segments:
            words = segment.words
            for n in range(1, len(words) + 1):
                partial = PartialMessage(text=" ".join(w.text for w in words[:n]), start=segment.start)
                sent_at.append(time.perf_counter())
                await relay(partial.model_dump_json())
                if out.provisional is not None and not out.words:
                    out.words = f"{partial.text} (at {words[n - 1].end:.1f} s)"
            sent_at.append(time.perf_counter())
            await relay(FinalMessage.of(segment).model_dump_json())
            if out.provisional is not None and not out.words:
                out.words = f"final: {segment.text}"

    asyncio.run(run())
    return out


def measure() -> list[Prompt]:
    prompts = []
    for doc in gold_calls():
        flags = {e["value"] for e in doc["fields"].get("red_flags") or []}
        prompts.append(
            relay_call(doc["call"], transcript_for(doc), {"unconscious", "not_breathing"} <= flags)
        )
    for path in where_calls():
        prompts.append(relay_call(path.stem, load_simsamu(path), path.stem == "where_arret"))
    return prompts


def main() -> None:
    prompts = measure()
    due = [p for p in prompts if p.due]
    for p in due:
        print(
            f"{p.call}: prompt {'from a partial' if p.provisional else 'from a final' if p.provisional is False else 'MISSED'}"
            f", {p.delay_ms or 0:.1f} ms after the words arrived: {p.words[-90:]}"
        )
    early = [p for p in prompts if not p.due and p.provisional is not None]
    for p in early:
        print(
            f"{p.call}: prompt not due, {'from a partial' if p.provisional else 'from a final'}: {p.words[-90:]}"
        )
    delays = [p.delay_ms for p in prompts if p.delay_ms is not None]
    print(
        f"T-CPR prompt on {sum(p.provisional is not None for p in due)}/{len(due)} calls where it is due,"
        f" {len(early)} where the gold has not both signs ({', '.join(p.call for p in early) or 'none'});"
        f" delay median {statistics.median(delays):.1f} ms, max {max(delays):.1f} ms"
    )


if __name__ == "__main__":
    main()
