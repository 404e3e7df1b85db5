"""`greffier live FILE | --mic`: live transcription in the terminal, through the WebSocket's protocol loop.

The file (or the microphone) is cut into 100-ms PCM16 frames that go through `run_stream` exactly as
a WebSocket client's would; `--json` prints each message as the WebSocket sends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import typer

from greffier.audio import SAMPLE_RATE
from greffier.cli.app import app, parse_language
from greffier.cli.live_io import FRAME_SECONDS, LivePrinter, file_frames
from greffier.config import get_settings
from greffier.errors import GreffierError, OptionsError
from greffier.live.protocol import END_REQUEST
from greffier.live.session import LiveHub, run_stream


def _sounddevice():
    """The sounddevice module, once it is known that a microphone can be read."""
    try:
        import sounddevice
    except OSError as exc:  # the Python package is there, the PortAudio library is not
        raise GreffierError(
            f"no audio backend: {exc}", "install PortAudio (Debian: apt-get install libportaudio2)"
        ) from None
    try:
        sounddevice.query_devices(kind="input")
    except sounddevice.PortAudioError:
        raise GreffierError(
            "no microphone: this machine has no audio input device",
            "plug in a microphone, or stream a file: greffier live FILE --realtime",
        ) from None
    return sounddevice


async def microphone_frames(sounddevice, stop: asyncio.Event) -> AsyncIterator[bytes]:
    """100-ms frames from the default input device, until `stop` is set."""
    loop = asyncio.get_running_loop()
    frames: asyncio.Queue[bytes] = asyncio.Queue()

    def captured(data, frame_count, time_info, status) -> None:  # PortAudio's thread
        loop.call_soon_threadsafe(frames.put_nowait, bytes(data))

    with sounddevice.RawInputStream(
        samplerate=SAMPLE_RATE,
        channels=1,
        dtype="int16",
        blocksize=round(FRAME_SECONDS * SAMPLE_RATE),
        callback=captured,
    ):
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                yield await asyncio.wait_for(frames.get(), timeout=0.5)


@app.command("live")
def live_command(
    file: Path | None = typer.Argument(None, help="A recording to stream (any format); or use --mic."),
    mic: bool = typer.Option(False, "--mic", help="Stream the microphone (Ctrl-C ends)."),
    realtime: bool = typer.Option(
        False, "--realtime", help="Send the file at its real pace, like a microphone."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="One protocol message per line, as the WebSocket sends it."
    ),
    language: str = typer.Option("auto", "--language", "-l", help="fr, en, … or auto (detect)."),
    model: Path | None = typer.Option(None, "--model", help="A CTranslate2 Whisper directory."),
    threads: int | None = typer.Option(None, "--threads", min=1, help="CPU threads (default: all cores)."),
) -> None:
    """Transcribe live: partial text as it is heard, final segments once stable."""
    if (file is None) == (not mic):
        raise OptionsError("give either a FILE or --mic", "e.g. greffier live meeting.wav --realtime")
    settings = get_settings()
    updates = {k: v for k, v in (("threads", threads), ("asr_model", model)) if v is not None}
    settings = settings.model_copy(update=updates) if updates else settings
    if file is not None and not file.is_file():
        raise OptionsError(f"{file}: no such file", "check the path")
    device = _sounddevice() if mic else None
    asyncio.run(_live(settings, file, device, realtime, as_json, parse_language(language)))


async def _live(
    settings, file: Path | None, device, realtime: bool, as_json: bool, language: str | None
) -> None:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    frames = file_frames(file, realtime) if file is not None else microphone_frames(device, stop)

    async def receive() -> bytes | str:
        if stop.is_set():
            return END_REQUEST
        return await anext(frames, END_REQUEST)

    hub = LiveHub(settings)
    # a file sent faster than real time is scheduled by its audio alone: the same output on any machine
    adaptive = file is None or realtime
    async with hub.stream(hub.options(language=language, adaptive=adaptive)) as stream:
        await run_stream(stream, receive, LivePrinter(as_json))
