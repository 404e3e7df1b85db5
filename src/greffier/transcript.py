"""The data model every stage reads and writes.

A `Transcript` holds the language, the duration, the speakers and the timed segments of one
recording (and, once diarized, the speaker turns); a `Segment` holds its words. Stages never mutate a transcript they are given: they
return a new one (`dataclasses.replace`). JSON is the documented exchange format: `to_dict` /
`from_dict` round-trip it, and `from_dict` validates untrusted input with pydantic: times are finite
and between 0 and `MAX_SECONDS`; in a client's document, no end comes before its start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    Field,
    JsonValue,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_serializer,
    model_validator,
)

SCHEMA_VERSION = 1
MAX_SECONDS = 7 * 24 * 3600.0
"""The latest time a transcript may hold (a week, longer than any recording): a larger one is a mistake."""

Seconds = Annotated[float, Field(ge=0, le=MAX_SECONDS)]
Probability = Annotated[float, Field(ge=0, le=1)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


def _finite_numbers(metadata: dict[str, JsonValue]) -> dict[str, JsonValue]:
    try:
        json.dumps(metadata, allow_nan=False)
    except ValueError:
        raise ValueError("holds a number JSON cannot carry (infinite or NaN)") from None
    return metadata


def _ordered(span: Any, info: ValidationInfo) -> Any:
    """Only for a document a client sends (`from_dict(..., sent=True)`): recognisers and corpora
    have words that end a few ms before they start, and stored transcripts must stay readable."""
    if info.context and info.context.get("sent") and span.end < span.start:
        raise ValueError(f"end ({span.end}) is before start ({span.start})")
    return span


@dataclass(frozen=True)
class TimeSpan:
    """A stretch of a recording, in seconds from its start: the one time-span type of the package
    (speech regions, words, speaker turns, the turns of the document formats, diarization's turns,
    the evidence of a case form's values, the spans and topics of minutes and answers)."""

    start: Seconds
    end: Seconds

    @property
    def duration(self) -> float:
        return self.end - self.start


def keys_in_order(*keys: str) -> Any:
    """A pydantic serializer for a TimeSpan subclass that writes its fields in `keys` order: a
    subclass's fields come after start and end, and a JSON format older than the subclass keeps its
    own order (`_wire = keys_in_order(...)` in the class body; `dataclasses.asdict` ignores it)."""

    # `self`: pydantic tells a method by its first argument's name; no return type: pydantic would
    # take it for the JSON schema of the span (an object of any keys)
    def in_order(self: TimeSpan, handler: SerializerFunctionWrapHandler):
        data = handler(self)
        return {key: data[key] for key in keys}

    return model_serializer(mode="wrap")(in_order)


@dataclass(frozen=True)
class Word(TimeSpan):
    text: str
    probability: Probability = 1.0
    speaker: str | None = None

    _check_order = model_validator(mode="after")(_ordered)


@dataclass(frozen=True)
class Segment:
    id: int
    start: Seconds
    end: Seconds
    text: str
    words: tuple[Word, ...] = ()
    speaker: str | None = None
    avg_logprob: Finite | None = None
    no_speech_prob: Probability | None = None

    _check_order = model_validator(mode="after")(_ordered)

    def piece(self, first: int, last: int) -> Segment:
        """The segment cut down to its words [first, last): their times, and the part of the text they
        say, with its own spacing ("j'ai", not "j 'ai"), when the words are found in it in order."""
        words = self.words[first:last]
        cursor, spans = 0, []
        for word in self.words:
            found = self.text.find(word.text.strip(), cursor)
            if found < 0:
                text = " ".join(w.text.strip() for w in words)
                break
            cursor = found + len(word.text.strip())
            spans.append((found, cursor))
        else:
            text = self.text[spans[first][0] : spans[last - 1][1]]
        return replace(self, start=words[0].start, end=words[-1].end, text=text, words=words)


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str | None = None
    person_id: str | None = None
    """The organisation's person this voice was identified as (`greffier.people`), when it was."""
    score: Probability | None = None
    """The cosine of the speaker's voice with that person's print (at least the threshold)."""

    @property
    def display_name(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class SpeakerTurn(TimeSpan):
    """A stretch of time in which one speaker talks, as diarization heard it."""

    speaker: str

    _check_order = model_validator(mode="after")(_ordered)


@dataclass(frozen=True)
class Transcript:
    language: str
    duration: Seconds
    segments: tuple[Segment, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    language_probability: Probability | None = None
    source: str | None = None
    model: str | None = None
    schema_version: int = SCHEMA_VERSION
    metadata: Annotated[dict[str, JsonValue], AfterValidator(_finite_numbers)] = field(default_factory=dict)
    turns: tuple[SpeakerTurn, ...] = ()
    """Who spoke when, from diarization: it also covers speech the recogniser has no words for.
    Empty when the speakers come from elsewhere (channels, a person's corrections): the segments
    then say who spoke when."""

    # -- reading -------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def speaker_name(self, speaker_id: str | None) -> str | None:
        if speaker_id is None:
            return None
        for sp in self.speakers:
            if sp.id == speaker_id:
                return sp.display_name
        return speaker_id

    def segment(self, segment_id: int) -> Segment:
        for s in self.segments:
            if s.id == segment_id:
                return s
        raise KeyError(f"no segment with id {segment_id}")

    # -- editing (returns new transcripts) ----------------------------------------------------
    def rename_speaker(self, speaker_id: str, name: str) -> Transcript:
        if speaker_id not in {sp.id for sp in self.speakers}:
            known = ", ".join(sp.id for sp in self.speakers) or "none"
            raise KeyError(f"unknown speaker {speaker_id!r} (known: {known})")
        speakers = tuple(  # a person's name given by hand: the identification no longer holds
            replace(sp, name=name, person_id=None, score=None) if sp.id == speaker_id else sp
            for sp in self.speakers
        )
        return replace(self, speakers=speakers)

    # -- JSON ----------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON form: plain dicts, lists, strings and numbers."""
        data = _ADAPTER.dump_python(self, mode="json")
        data["text"] = self.text
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, sent: bool = False) -> Transcript:
        """Validate and build a transcript from its JSON form (strictly: no text for a number);
        `sent`: a client's document, where no end may come before its start either. Raises
        `InvalidTranscript`."""
        return cls.from_json(json.dumps({k: v for k, v in data.items() if k != "text"}), sent=sent)

    @classmethod
    def from_json(cls, document: str | bytes, *, sent: bool = False) -> Transcript:
        """`from_dict` of a JSON document, read by the transcript's TypeAdapter itself (strict, as
        JSON: a time is a number, not the text "1.5"; `text`, derived, is ignored). Raises
        `InvalidTranscript`."""
        try:
            return _ADAPTER.validate_json(document, strict=True, context={"sent": sent})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InvalidTranscript(
                f"invalid transcript JSON at {where or 'top level'}: {first['msg']}", where or None
            ) from exc

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Transcript:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InvalidTranscript(f"{path}: no such file") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidTranscript(f"{path}: not a JSON file ({exc})") from exc
        if not isinstance(data, dict):
            raise InvalidTranscript(f"{path}: expected a JSON object with 'segments'")
        return cls.from_dict(data)


class InvalidTranscript(ValueError):
    """A transcript JSON document that does not follow the schema."""

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        """The field at fault (`segments.0.start`), when there is one."""


_ADAPTER = TypeAdapter(Transcript)
