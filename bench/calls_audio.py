"""Emergency calls from audio: the case form through the live path, and the red-flag latency.

    python -m bench calls_audio                               # the calls of DEFAULT_CALLS, real-time pace
    python -m bench.calls_audio --calls dj_2022_msn reu_ncb   # others (any gold call; synthesised once)
    python -m bench.calls_audio --fast                        # as fast as the recogniser goes: no latency
    python -m bench.calls_audio --where --fast                # the synthetic address calls: commune, street

Each gold call (tests/data/calls) is synthesised from its Simsamu transcript (bench/common/synth.py,
cached) and streamed as 100-ms PCM16 frames, by default at real-time pace, to a `greffier serve`
started here, over its `/ws/call`. Scored: the product's own form (`live`: its
`form` messages as they arrive, finals without speakers) and, beside it, each final read by
`extract.update` with the speakers of the synthesised turns (`turns`: what live speaker labels
would give; bench/common/call_driver.py); and, in the same run, the text path on the same calls
(the human Simsamu transcripts, `bench.calls.score`). All three are scored by `bench.calls.add_call`.

Red-flag latency: for each gold red flag, from the end of the sentence that states it (the gold
quote's sentence, from the sidecar's times) to the form change that adds it (median and max), and
to the product's provisional `flag` message, heard in a partial, which the regulator's page shows
at once. The target is 3 s on the page. A flag the audio path never raises is counted apart; a
negative latency is a flag raised from earlier words than the gold quote.

Measured (`heavy --exclusive python -m bench.calls_audio`: a `greffier serve`
on the same 2 cores, the 6 default calls, 11.1 min of audio): all 7 gold flags raised, none false,
in the product's form and with the turns' speakers alike; priority exact 5/6 (dj_mai_enfant_pendu,
"s'est pendu" misheard, one level less urgent), care level 6/6; live WER 0.24. On the page
(provisional flags): all 7 within 3 s, median 0.45 s, max 1.28 s (3 raised from earlier words than
the gold quote). In the form (finals): median 1.68 s, max 2.89 s, except dj_2023_malaise, whose
one-word "non" answer came out of the final differently from the partial and was confirmed 88 s later
from other words. (Before repeated clauses were cut as loops, session 3: live WER 0.30, one flag
missed on the page.) Against the text path, audio keeps red flags, priority, care level, place and
event, and loses a third of the caller, age and sex values and most history items.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from dataclasses import dataclass

from bench.calls import SCORED, Report, _pct, add_call, gold_calls, score, transcript_for
from bench.calls_where import ADDRESS_BASE, WhereScore, add_where, gold_of, print_where, where_calls
from bench.calls_where import score_text as score_where
from bench.common.call_driver import (
    LIVE,
    CallRun,
    FormTrack,
    Transport,
    TurnLabels,
    drive,
    served_calls,
)
from bench.common.synth import SynthCall, synthesis_seconds, synthesise
from bench.common.text import corpus_wer, normalise
from greffier.calls.simsamu import load_simsamu
from greffier.calls.streets import load_address_base
from greffier.config import get_settings

DEFAULT_CALLS = (
    "dj_mai_sdf_coma",
    "dj_mai_enfant_pendu",
    "dj_2022_msn",
    "dj_mai_malaise_dt",
    "reu_ncb",
    "dj_2023_malaise",
)
"""The gold calls with red flags, shortest first (the three of tests/test_calls_audio.py first)."""
TARGET_LATENCY = 3.0
LABELS = ("turns", LIVE)


@dataclass(frozen=True)
class FlagTiming:
    call: str
    flag: str
    stated: float
    """End of the gold quote's sentence in the call audio (s)."""
    raised: float | None
    """When the change adding the flag was made, seconds from the first frame; None: never raised."""

    @property
    def latency(self) -> float | None:
        return None if self.raised is None else self.raised - self.stated


def stated_at(call: SynthCall, segment_id: int, quote: str) -> float:
    """End of the first sentence of the turn by which the quote has been said (hesitations aside)."""
    turn, quote = call.turn(segment_id), normalise(quote)
    said = ""
    for sentence in turn.sentences:
        said = f"{said} {normalise(sentence.text)}"
        if quote in said:
            return sentence.end
    return turn.end


def flag_timings(call: SynthCall, doc: dict, raised_at: list[tuple[float, str]]) -> list[FlagTiming]:
    """Each gold red flag of the call and when it was first raised (`raised_at`: (time, code))."""
    raised: dict[str, float] = {}
    for at, code in raised_at:
        raised.setdefault(code, at)
    return [
        FlagTiming(
            doc["call"],
            entry["value"],
            min(stated_at(call, seg, quote) for seg, quote in entry["quotes"]),
            raised.get(entry["value"]),
        )
        for entry in doc["fields"].get("red_flags", [])
    ]


def added_flags(track: FormTrack) -> list[tuple[float, str]]:
    return [(at, str(c.value)) for at, c in track.changes if c.key == "red_flags" and c.action == "added"]


def _pr(report: Report, key: str) -> str:
    c = report.fields[key]
    return f"{_pct(c.precision):>6} {_pct(c.recall):>6}"


def print_fields(reports: dict[str, Report]) -> None:
    names = list(reports)
    print(f"\n{'field':22} " + " ".join(f"{n + ' P':>6} {'R':>6}" for n in names) + "   (tp fp fn)")
    for key in SCORED:
        counts = " / ".join(
            f"{r.fields[key].tp} {r.fields[key].fp} {r.fields[key].fn}" for r in reports.values()
        )
        print(f"{key:22} " + " ".join(_pr(r, key) for r in reports.values()) + f"   ({counts})")
    for name, r in reports.items():
        print(
            f"{name:6}: calls with a gold flag that raised one {r.calls_flag_found}/{r.calls_with_flags}; priority "
            f"exact {r.priority_exact}/{r.n}, within one {r.priority_within_one}/{r.n}, less urgent than gold "
            f"{r.priority_under}; care level exact {r.care_exact}/{r.n}"
        )


def print_latency(timings: list[FlagTiming], labels: str, realtime: bool) -> None:
    found = [t.latency for t in timings if t.latency is not None]
    missed = [f"{t.call}:{t.flag}" for t in timings if t.latency is None]
    print(f"\nred-flag latency ({labels}), from the end of the stating sentence to the form change:")
    for t in timings:
        shown = "never raised" if t.latency is None else f"{t.latency:+.2f} s"
        print(f"  {t.call:24} {t.flag:22} stated at {t.stated:6.1f} s  {shown}")
    if not realtime:
        print("  (not at real-time pace: these are not latencies a caller would see)")
    if found:
        median, worst = statistics.median(found), max(found)
        print(
            f"  {len(found)} flags raised, {len(missed)} never ({', '.join(missed) or '-'}): median {median:.2f} s,"
            f" max {worst:.2f} s; target {TARGET_LATENCY:g} s: "
            + ("met" if worst <= TARGET_LATENCY else f"max is {worst / TARGET_LATENCY:.2f}x it")
        )


def where_audio(realtime: bool) -> None:
    """The synthetic address calls (bench/calls_where.py) spoken and streamed: the commune and street
    proposed for what the live recogniser wrote, beside the text of the same calls."""
    base = load_address_base(ADDRESS_BASE)
    calls = {p.stem: (synthesise(load_simsamu(p), p.stem), gold_of(p)) for p in where_calls()}
    scores = {label: WhereScore() for label in LABELS}

    async def stream_all(transport: Transport) -> None:
        for name, (call, gold) in calls.items():
            run = await drive(
                call.audio, transport, {"turns": TurnLabels(call.turns)}, realtime=realtime, call_id=name
            )
            for label in LABELS:
                add_where(scores[label], name, gold, run.tracks[label].form, base)

    with served_calls() as transport:
        print(
            f"{len(calls)} address calls, {sum(c.duration for c, _ in calls.values()) / 60:.1f} min of audio"
        )
        asyncio.run(stream_all(transport))
    print_where("text", score_where())
    for label, where in scores.items():
        print_where(f"audio, {label}", where)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calls_audio")
    parser.add_argument("--calls", nargs="*", default=list(DEFAULT_CALLS))
    parser.add_argument("--fast", action="store_true", help="stream as fast as possible (no latency figures)")
    parser.add_argument(
        "--where",
        action="store_true",
        help="the synthetic address calls instead: the commune and street proposed",
    )
    args = parser.parse_args(argv if argv is not None else [])
    if args.where:
        where_audio(not args.fast)
        return
    docs = {d["call"]: d for d in gold_calls()}
    realtime = not args.fast

    calls: dict[str, SynthCall] = {}
    for name in args.calls:
        started = time.perf_counter()
        calls[name] = synthesise(transcript_for(docs[name]), name)
        took = time.perf_counter() - started
        made = f"synthesised in {synthesis_seconds(calls[name]):.0f} s" + (" (cached)" if took < 5 else "")
        print(
            f"{name}: {calls[name].duration:.0f} s of audio, {len(calls[name].turns)} turns, {made}",
            flush=True,
        )

    settings = get_settings()

    async def stream_all(transport: Transport) -> dict[str, CallRun]:
        runs = {}
        for name, call in calls.items():
            labellers = {"turns": TurnLabels(call.turns)}
            runs[name] = await drive(call.audio, transport, labellers, realtime=realtime, call_id=name)
            print(f"  {name}: {len(runs[name].finals)} finals, errors {runs[name].errors}", flush=True)
        return runs

    with served_calls() as transport:
        print(
            f"\n{len(calls)} calls, {sum(c.duration for c in calls.values()) / 60:.1f} min of audio, "
            f"{'real-time pace' if realtime else 'as fast as possible'}, through {transport.name}, "
            f"beam {settings.live_beam_size}, pause {settings.live_silence_ms} ms, {os.cpu_count()} cores; "
            f"load before {tuple(round(x, 2) for x in os.getloadavg())}",
            flush=True,
        )
        runs = asyncio.run(stream_all(transport))
    print(f"load after {tuple(round(x, 2) for x in os.getloadavg())}")
    reports: dict[str, Report] = {"text": score([docs[n] for n in calls])}
    for labels in LABELS:
        reports[labels] = Report()
        for name, run in runs.items():
            add_call(reports[labels], docs[name], run.tracks[labels].form)
    print_fields(reports)
    live_wer = corpus_wer([(calls[n].text, run.text) for n, run in runs.items()])
    print(f"WER of the live finals against the synthesised turns' text: {live_wer:.3f}")
    for labels in LABELS:
        timings = [
            t
            for n, run in runs.items()
            for t in flag_timings(calls[n], docs[n], added_flags(run.tracks[labels]))
        ]
        print_latency(timings, labels, realtime)
    heard = [t for n, run in runs.items() for t in flag_timings(calls[n], docs[n], run.heard)]
    print_latency(heard, "live, provisional flags heard in partials", realtime)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
