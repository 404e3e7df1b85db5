"""What `greffier live` and `greffier call --live` share: a recording as 100-ms PCM16 frames, and the
printer of the live messages (finals with their times, partials rewritten in place on a terminal)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from greffier.audio import SAMPLE_RATE, stream_audio, to_pcm16
from greffier.cli.app import console, console_error
from greffier.live.protocol import SERVER_MESSAGE, FinalMessage, PartialMessage

FRAME_SECONDS = 0.1


async def file_frames(path: Path, realtime: bool) -> AsyncIterator[bytes]:
    """100-ms frames of a recording; with `realtime`, each one when it would have been recorded."""
    started = time.monotonic()
    sent = 0.0
    for block in stream_audio(path, block_seconds=FRAME_SECONDS):
        sent += len(block) / SAMPLE_RATE
        if realtime:
            await asyncio.sleep(max(0.0, started + sent - time.monotonic()))
        yield to_pcm16(block)


class LivePrinter:
    """Human-readable lines: finals with their times; partials rewritten in place on a terminal."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.tty = sys.stdout.isatty()
        self._partial_shown = False

    async def __call__(self, text: str) -> None:
        if self.as_json:
            print(text, flush=True)
            return
        message = SERVER_MESSAGE.validate_json(text)
        if isinstance(message, PartialMessage):
            if self.tty:
                width = max(20, console.width - 4)
                sys.stdout.write("\r\033[K\033[2m… " + message.text[-width:] + "\033[0m")
                sys.stdout.flush()
                self._partial_shown = True
            elif message.text:
                print(f"  … {message.text}", flush=True)
            return
        if self._partial_shown:
            sys.stdout.write("\r\033[K")
            self._partial_shown = False
        if isinstance(message, FinalMessage):
            print(f"[{clock(message.start)} → {clock(message.end)}] {message.text}", flush=True)
        elif message.type == "error":
            console_error(f"{message.message} — {message.fix}" if message.fix else message.message)
        else:
            console.print(
                f"[dim]end ({message.reason}): {message.duration:.1f} s of audio, {message.segments} "
                f"segments, language {message.language}[/]"
            )


def clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes):02d}:{rest:04.1f}"
