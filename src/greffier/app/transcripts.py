"""A meeting's transcript: read a client's document, save it as a new version (`If-Match`: only onto
the version it was made from), correct segments and speaker names, export it as a file."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic_core import from_json

from greffier import edit, export
from greffier.app.backends import Backends
from greffier.app.meetings import LIST_FIX, load_version
from greffier.errors import Invalid, NotFound, Stale, Unreadable
from greffier.search.indexer import index_quietly
from greffier.store import meetings as store
from greffier.store.accounts import Principal
from greffier.store.models import Meeting, TranscriptVersion
from greffier.transcript import InvalidTranscript, Transcript

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


@dataclass(frozen=True)
class ExportedFile:
    meeting: Meeting
    version: int
    content: str | bytes
    media_type: str


def read_transcript(document: bytes) -> Transcript:
    """A client's transcript document (JSON), checked as strictly as what is stored must be: numbers
    JSON cannot carry (NaN) and lone surrogates are not JSON; times, types and control characters are
    refused with the field at fault."""
    try:
        data = from_json(document, allow_inf_nan=False)
    except ValueError as exc:
        raise Unreadable(
            f"the body is not valid JSON ({exc})",
            "send the transcript as JSON, as returned by GET …/transcript",
            kind="invalid_json",
        ) from None
    if not isinstance(data, dict):
        raise Invalid(
            "the body must be a JSON object (a transcript)",
            "send the document returned by GET …/transcript, edited",
        )
    try:
        transcript = Transcript.from_json(document, sent=True)
    except InvalidTranscript as exc:
        raise Invalid(
            str(exc),
            "keep the structure returned by GET …/transcript; change texts, times and speaker names",
            kind="invalid_transcript",
            param=exc.where,
        ) from None
    where = _control_character(transcript.to_dict())  # what is stored: as deep as pydantic allows
    if where is not None:
        raise Invalid(
            f"the transcript holds a control character at {where}",
            "remove it: a transcript holds printable text only (tabs and new lines are fine)",
            kind="invalid_transcript",
        )
    return transcript


def _control_character(value: Any, path: str = "top level") -> str | None:
    """Where a string holds a character no export can carry (XML, subtitles), if anywhere."""
    if isinstance(value, str):
        return path if _CONTROL.search(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and _CONTROL.search(key):
            return f"{path}: a key"
        found = _control_character(item, str(key) if path == "top level" else f"{path}.{key}")
        if found is not None:
            return found
    return None


def _conflict(latest: int, given: str) -> Stale:
    return Stale(
        f"the transcript is now at version {latest}, not {given[:20]}",
        "GET it again, re-apply your changes, and send them with the new ETag",
    )


def _current(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, if_match: str | None
) -> TranscriptVersion:
    """The latest version, which `if_match` (an ETag, `"3"`), when given, must name."""
    _, current = load_version(backends, principal, meeting_id)
    if if_match is not None and if_match.strip().strip('"') != str(current.version):
        raise _conflict(current.version, if_match)
    return current


def _save(
    backends: Backends,
    principal: Principal,
    meeting_id: uuid.UUID,
    transcript: Transcript,
    current: TranscriptVersion,
    if_match: str | None,
) -> TranscriptVersion:
    """A new version; with If-Match, only if `current` is still the latest when it is written."""
    try:
        row = store.add_version(
            backends.db,
            meeting_id,
            transcript.to_dict(),
            author=principal.email,
            after=current.version if if_match is not None else None,
        )
    except store.VersionConflict as exc:
        raise _conflict(exc.latest, if_match or "") from None
    if row is None:
        raise NotFound(f"no meeting {meeting_id} in your organisation", LIST_FIX)
    index_quietly(backends.db, backends.blobs, backends.settings, meeting_id)
    return row


def save_transcript(
    backends: Backends,
    principal: Principal,
    meeting_id: uuid.UUID,
    transcript: Transcript,
    if_match: str | None = None,
) -> TranscriptVersion:
    """`transcript` as the meeting's new version; with `if_match`, only onto the version it names."""
    current = _current(backends, principal, meeting_id, if_match)
    return _save(backends, principal, meeting_id, transcript, current, if_match)


def correct_transcript(
    backends: Backends,
    principal: Principal,
    meeting_id: uuid.UUID,
    segments: list[edit.SegmentEdit],
    speakers: dict[str, str],
    if_match: str | None = None,
) -> TranscriptVersion:
    """The latest version with these corrections (`edit.apply_edits`), saved as a new version."""
    current = _current(backends, principal, meeting_id, if_match)
    try:
        corrected = edit.apply_edits(Transcript.from_dict(current.body), segments, speakers)
    except edit.EditError as exc:
        raise Invalid(exc.problem, exc.fix, kind="invalid_edit") from None
    return _save(backends, principal, meeting_id, corrected, current, if_match)


def export_transcript(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, fmt: str, version: int | None = None
) -> ExportedFile:
    """Transcript version `version` (default: the latest) as a file of format `fmt` (`export.FORMATS`)."""
    meeting, row = load_version(backends, principal, meeting_id, version)
    content = export.render(Transcript.from_dict(row.body), fmt)
    return ExportedFile(meeting, row.version, content, export.MEDIA_TYPES[fmt])
