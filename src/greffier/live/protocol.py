"""The live protocol's messages, as JSON text frames (pydantic at the edge).

Server → client: `partial` (the text after the last final; it may still change, each one replaces
the one before), `final` (a committed segment: it never changes, and the next starts at or after
its end), `error` (`fatal`: the stream ends after it), `end` (the last message). Client → server:
binary audio frames, and the text frame `{"type": "end"}` to finish (the server sends the
remaining finals, then `end`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from greffier.errors import PublicText
from greffier.transcript import Segment


class AudioFormat(StrEnum):
    PCM16 = "pcm16"
    """Raw little-endian signed 16-bit samples, 16 kHz, mono, any number of samples per frame."""
    WEBM = "webm"
    """WebM (Opus or Vorbis) as a browser's MediaRecorder emits it: the chunks in order."""
    OGG = "ogg"
    """Ogg/Opus (Firefox's MediaRecorder default): the chunks in order."""


class WordOut(BaseModel):
    start: float
    end: float
    text: str
    probability: float
    speaker: str | None = None


class PartialMessage(BaseModel):
    type: Literal["partial"] = "partial"
    text: str = Field(description="the text after the last final; empty when nothing is pending")
    start: float | None = Field(description="seconds from the start of the stream")


class FinalMessage(BaseModel):
    type: Literal["final"] = "final"
    id: int = Field(description="0, 1, 2… in order")
    start: float
    end: float
    text: str
    words: list[WordOut]
    speaker: str | None = Field(
        None,
        description="SPEAKER_00, SPEAKER_01… in order of appearance, never changed once sent; "
        "null when live speaker labels are off (live_speakers)",
    )
    person: str | None = Field(
        None,
        description="the name of the person the speaker's voice is, as known when the final is sent "
        "(streams opened with identify=true); null: nobody enrolled is recognised",
    )

    @classmethod
    def of(cls, segment: Segment, person: str | None = None) -> FinalMessage:
        return cls(
            person=person,
            id=segment.id,
            start=round(segment.start, 3),
            end=round(segment.end, 3),
            text=segment.text,
            speaker=segment.speaker,
            words=[
                WordOut(
                    start=round(w.start, 3),
                    end=round(w.end, 3),
                    text=w.text,
                    probability=round(w.probability, 3),
                    speaker=w.speaker,
                )
                for w in segment.words
            ],
        )


class ErrorMessage(BaseModel):
    type: Literal["error"] = "error"
    code: str = Field(description="bad_frame, empty_frame, frame_too_large, wrong_format, idle_timeout, …")
    message: PublicText
    fix: PublicText | None = None
    fatal: bool = Field(description="true: the stream ends (finals, then `end`); false: it goes on")


class EndMessage(BaseModel):
    type: Literal["end"] = "end"
    reason: Literal["client", "idle_timeout", "error", "disconnected", "server"]
    duration: float = Field(description="seconds of audio received")
    segments: int = Field(description="finals sent")
    language: str | None
    meeting_id: str | None = Field(None, description="where the session was saved, if it was")


ServerMessage = Annotated[
    PartialMessage | FinalMessage | ErrorMessage | EndMessage, Field(discriminator="type")
]
SERVER_MESSAGE = TypeAdapter(ServerMessage)


class EndRequest(BaseModel):
    type: Literal["end"]


END_REQUEST = '{"type": "end"}'
"""The client's text frame that finishes a stream, as sent."""


_CLIENT_MESSAGE = TypeAdapter(EndRequest)


def parse_client_text(text: str) -> EndRequest | None:
    """The client's text frame, or None when it is not a message of the protocol."""
    try:
        return _CLIENT_MESSAGE.validate_json(text)
    except ValidationError:
        return None
