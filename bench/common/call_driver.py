"""An emergency call from its audio to the case form, through the product's live call path.

- The **transport** streams a recording as 100-ms PCM16 frames and yields the live call's JSON
  messages (partial, final, flag, form, error, end), each with its arrival time in seconds from the
  first frame: `WebSocketCall` is a client of a `greffier serve`'s `/ws/call` (`served_calls`
  starts one).
- `drive` keeps the product's own form as the track `live`: each change of its `form` messages
  with the time it arrived, and the whole form of the last one.
- Beside it, each final goes through **labellers** into forms of the bench's own, filled by
  `greffier.calls.extract.update` (the rules `LiveCall` runs): `TurnLabels` gives the finals the
  speakers of the synthesised turns, as a perfect live diarizer would, with anonymous ids
  (`SPEAKER_00` for whoever speaks first) so that the regulator is still guessed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from bench.common.synth import Turn
from greffier.calls.extract import new_form, update
from greffier.calls.form import CaseForm, change_of
from greffier.calls.live import segment_of
from greffier.calls.values import Change
from greffier.cli.live_io import file_frames
from greffier.live.protocol import END_REQUEST, FinalMessage
from greffier.transcript import Segment, Word

LIVE = "live"
"""The track of the product's own form (its `form` messages)."""
ROOT = Path(__file__).resolve().parents[2]

Labeller = Callable[[Segment], list[Segment]]


class Transport(Protocol):
    name: str

    def messages(self, audio: Path, realtime: bool, call_id: str) -> AsyncIterator[tuple[float, str]]:
        """(seconds since the first frame was sent, JSON text message) until the call's `end`."""
        ...


async def _timed_frames(audio: Path, realtime: bool, started: list[float]) -> AsyncIterator[bytes]:
    async for frame in file_frames(audio, realtime=realtime):
        if not started:
            started.append(time.monotonic())
        yield frame


@dataclass
class WebSocketCall:
    """A client of `/ws/call`: frames sent as the microphone of the regulator's page would send them."""

    url: str
    """ws://host:port"""
    token: str
    language: str = "fr"
    name: str = "WebSocket /ws/call"

    async def messages(self, audio: Path, realtime: bool, call_id: str) -> AsyncIterator[tuple[float, str]]:
        from websockets.asyncio.client import connect

        address = f"{self.url}/ws/call?language={self.language}&title={call_id}"
        headers = {"Authorization": f"Bearer {self.token}"}
        async with connect(address, additional_headers=headers, open_timeout=120, max_size=None) as ws:
            started: list[float] = []

            async def send() -> None:
                async for frame in _timed_frames(audio, realtime, started):
                    await ws.send(frame)
                await ws.send(END_REQUEST)

            sender = asyncio.create_task(send())
            async for text in ws:
                assert isinstance(text, str)
                yield time.monotonic() - started[0], text
                if json.loads(text)["type"] == "end":
                    break
            await sender


@contextmanager
def served_calls(language: str = "fr") -> Iterator[WebSocketCall]:
    """A `greffier serve` (embedded mode, in a temporary folder, one account) and a client of its `/ws/call`."""
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import Service, seed_account, service_env

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        token = seed_account(data, "bench", "regulation@example.org", "a bench password")
        service = Service(service_env(data), data / "serve.log", ports=range(18900, 18950)).start()
        try:
            yield WebSocketCall(f"ws://127.0.0.1:{service.port}", token, language)
        finally:
            service.stop()


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
    """One form and its changes."""

    form: CaseForm
    segments: list[Segment] = field(default_factory=list)
    changes: list[tuple[float, Change]] = field(default_factory=list)
    """(seconds since the first frame when the change was made or arrived, change)"""


@dataclass
class CallRun:
    finals: list[tuple[float, Segment]] = field(default_factory=list)
    """(arrival, final as received)"""
    tracks: dict[str, FormTrack] = field(default_factory=dict)
    """`live` (the product's form) and one per labeller"""
    heard: list[tuple[float, str]] = field(default_factory=list)
    """(arrival, red flag code) of the product's provisional `flag` messages, heard in partials"""
    errors: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for _, s in self.finals)


async def drive(
    audio: Path,
    transport: Transport,
    labellers: Mapping[str, Labeller],
    *,
    call_id: str,
    realtime: bool = False,
) -> CallRun:
    """Stream `audio`; keep the product's form, and read every final into one form per labeller as soon
    as it arrives."""
    run = CallRun(tracks={name: FormTrack(new_form(call_id)) for name in [LIVE, *labellers]})
    live = run.tracks[LIVE]
    async for arrival, text in transport.messages(audio, realtime, call_id):
        received = time.monotonic()
        message = json.loads(text)
        if message["type"] == "error":
            run.errors.append(message)
        elif message["type"] == "flag":
            run.heard.append((arrival, message["code"]))
        elif message["type"] == "form":
            live.changes += [(arrival, change_of(c)) for c in message["changes"]]
            if message["complete"]:
                live.form = CaseForm.from_dict(message["form"])
        elif message["type"] == "final":
            final = segment_of(FinalMessage.model_validate(message))
            run.finals.append((arrival, final))
            live.segments.append(final)
            for name, label in labellers.items():
                track = run.tracks[name]
                new = [replace(s, id=len(track.segments) + i) for i, s in enumerate(label(final))]
                track.segments += new
                track.form, changes = update(track.form, new)
                done = arrival + time.monotonic() - received
                track.changes += [(done, change) for change in changes]
    return run
