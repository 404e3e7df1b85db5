"""An emergency call from its audio to the case form, through the live path: finals -> `extract.update`.

Three parts, each replaceable:

- the **transport** turns a recording into the live protocol's JSON messages, each with its arrival
  time in seconds from the first audio frame. `InProcessLive` is the code the WebSocket runs
  (`LiveHub` + `run_stream`) called in this process; any object with the same `messages` method
  will do (a WebSocket client of `/ws/stream` or `/ws/call`);
- the **labeller** gives each final its speaker before the form reads it: `keep` leaves the
  transport's own (None until live speaker labels exist: the extractor then guesses the regulator);
  `TurnLabels` takes them from the synthesised call's turns, as a perfect live diarizer would, with
  anonymous ids (`SPEAKER_00` for whoever speaks first) so that the regulator is still guessed;
- the **updater** is `greffier.calls.extract.update` unless another (the live call module) is given.

One stream feeds as many forms as there are labellers, so their figures come from the same finals.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from bench.common.synth import Turn
from greffier.calls.extract import new_form, update
from greffier.calls.form import CaseForm, Change
from greffier.cli.live_cmd import file_frames
from greffier.live.protocol import FinalMessage
from greffier.live.session import LiveHub, run_stream
from greffier.transcript import Segment, Word

END = '{"type": "end"}'

Labeller = Callable[[Segment], list[Segment]]
Updater = Callable[[CaseForm, list[Segment]], tuple[CaseForm, list[Change]]]


class Transport(Protocol):
    def messages(self, audio: Path, realtime: bool) -> AsyncIterator[tuple[float, str]]:
        """(seconds since the first frame was sent, JSON text message) until the stream's `end`."""
        ...


@dataclass
class InProcessLive:
    """The live session of this process: 100-ms PCM16 frames through `run_stream`."""

    hub: LiveHub
    language: str = "fr"

    async def messages(self, audio: Path, realtime: bool) -> AsyncIterator[tuple[float, str]]:
        frames = file_frames(audio, realtime=realtime)
        out: asyncio.Queue[tuple[float, str] | None] = asyncio.Queue()
        started: list[float] = []

        async def receive() -> bytes | str:
            if not started:
                started.append(time.monotonic())
            return await anext(frames, END)

        async def send(text: str) -> None:
            out.put_nowait((time.monotonic() - started[0], text))

        async def run() -> None:
            try:
                async with self.hub.stream(self.hub.options(language=self.language)) as stream:
                    await run_stream(stream, receive, send)
            finally:
                out.put_nowait(None)

        task = asyncio.create_task(run())
        while (item := await out.get()) is not None:
            yield item
        await task


def segment_of(message: dict) -> Segment:
    """A `final` message of the live protocol as the `Segment` it was made from."""
    final = FinalMessage.model_validate(message)
    words = tuple(Word(w.start, w.end, w.text, w.probability, w.speaker) for w in final.words)
    return Segment(final.id, final.start, final.end, final.text, words, final.speaker)


def keep(segment: Segment) -> list[Segment]:
    """The final as the transport labelled it (speaker None today)."""
    return [segment]


@dataclass
class TurnLabels:
    """Speakers from the call's turns: each word goes to the turn nearest its middle; a final that spans
    two speakers is split where the speaker changes."""

    turns: Sequence[Turn]
    ids: dict[str, str] = field(default_factory=dict)

    def _speaker(self, t: float) -> str:
        turn = min(self.turns, key=lambda u: max(u.start - t, t - u.end, 0.0))
        return self.ids.setdefault(turn.speaker, f"SPEAKER_{len(self.ids):02d}")

    def __call__(self, segment: Segment) -> list[Segment]:
        if not segment.words:
            return [replace(segment, speaker=self._speaker((segment.start + segment.end) / 2))]
        pieces: list[list[Word]] = []
        for word in segment.words:
            word = replace(word, speaker=self._speaker((word.start + word.end) / 2))
            if pieces and pieces[-1][-1].speaker == word.speaker:
                pieces[-1].append(word)
            else:
                pieces.append([word])
        return [
            replace(
                segment,
                start=words[0].start,
                end=words[-1].end,
                text=" ".join(w.text.strip() for w in words),
                words=tuple(words),
                speaker=words[0].speaker,
            )
            for words in pieces
        ]


@dataclass
class FormTrack:
    """One form fed by the finals through one labeller."""

    label: Labeller
    form: CaseForm
    segments: list[Segment] = field(default_factory=list)
    changes: list[tuple[float, Change]] = field(default_factory=list)
    """(seconds since the first frame when the change was made, change)"""


@dataclass
class CallRun:
    finals: list[tuple[float, Segment]] = field(default_factory=list)
    """(arrival, final as received)"""
    tracks: dict[str, FormTrack] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for _, s in self.finals)


async def drive(
    audio: Path,
    transport: Transport,
    labellers: Mapping[str, Labeller],
    *,
    realtime: bool = False,
    call_id: str | None = None,
    updater: Updater = update,
) -> CallRun:
    """Stream `audio` and read every final into one form per labeller as soon as it arrives."""
    run = CallRun(tracks={name: FormTrack(label, new_form(call_id)) for name, label in labellers.items()})
    async for arrival, text in transport.messages(audio, realtime):
        received = time.monotonic()
        message = json.loads(text)
        if message["type"] == "error":
            run.errors.append(message)
        if message["type"] != "final":
            continue
        final = segment_of(message)
        run.finals.append((arrival, final))
        for track in run.tracks.values():
            new = [replace(s, id=len(track.segments) + i) for i, s in enumerate(track.label(final))]
            track.segments += new
            track.form, changes = updater(track.form, new)
            done = arrival + time.monotonic() - received
            track.changes += [(done, change) for change in changes]
    return run
