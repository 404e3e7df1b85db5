"""People of an organisation known by their voice: list them (metadata only, never a print), enrol
one from a meeting's speaker or from a sample of their voice (their explicit consent recorded), forget
one (every print deleted at once). The transcribe job names a meeting's speakers after them
(`people.known.identify_meeting`).

Who may do what (`app.roles`): every member lists the people and forgets one (a withdrawal of
consent must never wait for an admin, and forgetting only ever removes biometric data); only an admin
enrols (processing biometric data is the organisation's decision, GDPR art. 9, and the admin who
records the consent is named with it).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import numpy as np

from greffier.app.backends import Backends
from greffier.app.meetings import load_version, recording
from greffier.app.roles import require_admin
from greffier.audio import load_audio, probe
from greffier.diarize.embed import SpeakerEmbedder, get_embedder
from greffier.errors import AudioError, Invalid, NotFound, Unreadable, Unsupported
from greffier.people.identify import PrintIndex
from greffier.people.model import Consent, PersonInfo, Voiceprint
from greffier.people.voiceprint import NotEnoughSpeech, enrolment_print, sample_speech, speech_of
from greffier.store import people as store
from greffier.store.accounts import Principal
from greffier.transcript import Transcript

LIST_FIX = "list the organisation's people with GET /api/people"


@dataclass(frozen=True)
class Enrolment:
    """Who is enrolled, and their consent: `consent_by` gave it (the person, or their DPO) at
    `consent_at` (None: now); the caller is recorded as who recorded it."""

    name: str
    consent_by: str
    email: str | None = None
    consent_at: datetime | None = None


def known_voices(backends: Backends, principal: Principal) -> PrintIndex:
    """The organisation's prints, for a live stream that names its people."""
    with backends.db.read() as session:
        return store.print_index(session, principal.organisation_id)


def list_people(backends: Backends, principal: Principal) -> list[PersonInfo]:
    with backends.db.read() as session:
        return store.list_people(session, principal.organisation_id)


def enrol_speaker(
    backends: Backends, principal: Principal, meeting_id: uuid.UUID, speaker: str, enrolment: Enrolment
) -> PersonInfo:
    """One more print of `enrolment.name` (made if new) from `speaker`'s own speech in the meeting's
    latest transcript version."""
    require_admin(backends.db, principal, "enrol a person's voice")
    _, row = load_version(backends, principal, meeting_id)
    transcript = Transcript.from_dict(row.body)
    if speaker not in {s.id for s in transcript.speakers}:
        known = ", ".join(s.id for s in transcript.speakers) or "none: the meeting was not diarized"
        raise Invalid(
            f"meeting {meeting_id} has no speaker {speaker[:40]!r}", f"use one of: {known}", param="speaker"
        )
    _, path, _ = recording(backends, principal, meeting_id)
    return _enrol(
        backends,
        principal,
        enrolment,
        lambda embedder: enrolment_print(
            load_audio(path), speech_of(transcript, speaker), embedder, f"meeting {meeting_id} {speaker}"
        ),
    )


def enrol_sample(
    backends: Backends, principal: Principal, source: BinaryIO, filename: str | None, enrolment: Enrolment
) -> PersonInfo:
    """One more print of `enrolment.name` from a recording of that person alone (10 s of speech or
    more); the sample itself is not kept."""
    require_admin(backends.db, principal, "enrol a person's voice")
    audio = _sample_audio(source, filename or "sample")
    label = Path(filename or "sample").name[:200]
    return _enrol(
        backends,
        principal,
        enrolment,
        lambda embedder: enrolment_print(audio, sample_speech(audio), embedder, f"sample {label}"),
    )


def _sample_audio(source: BinaryIO, label: str) -> np.ndarray:
    with tempfile.NamedTemporaryFile(prefix="greffier-sample-") as spool:
        shutil.copyfileobj(source, spool)
        spool.flush()
        if spool.tell() == 0:
            raise Unreadable(
                f"the sample {label!r} is empty (0 bytes)", "send the recording again", param="file"
            )
        try:
            probe(Path(spool.name))
            return load_audio(Path(spool.name))
        except AudioError as exc:
            raise Unsupported(exc.problem.replace(spool.name, repr(label)), exc.fix, param="file") from None


def _enrol(
    backends: Backends,
    principal: Principal,
    enrolment: Enrolment,
    make_print: Callable[[SpeakerEmbedder], Voiceprint],
) -> PersonInfo:
    name, consent_by = enrolment.name.strip(), enrolment.consent_by.strip()
    if not name:
        raise Invalid("the name is empty", 'give the person\'s name, e.g. "Marie Dupont"', param="name")
    if not consent_by:
        raise Invalid(
            "a voiceprint is biometric data: enrolment needs the person's explicit consent",
            "say who gave it in consent_by (the person, or their DPO)",
            param="consent_by",
        )
    given_at = _given_at(enrolment.consent_at)
    try:
        print_ = make_print(get_embedder(backends.settings))
    except NotEnoughSpeech as exc:
        raise Invalid(exc.problem, exc.fix, param="speaker") from None
    consent = Consent(consent_by, principal.email, given_at)
    with backends.db.write() as session:
        person = store.enrol(session, principal.organisation_id, name, print_, consent, enrolment.email)
        return store.person_info(session, person)


def _given_at(when: datetime | None) -> datetime:
    """When consent was given, in UTC (a time without a zone is UTC); not in the future."""
    now = datetime.now(UTC)
    if when is None:
        return now
    try:
        when = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except OverflowError:
        raise Invalid(
            "consent_at is out of range once put in UTC",
            "give the time the consent was given (ISO 8601), or leave consent_at out for now",
            param="consent_at",
        ) from None
    if when > now + timedelta(minutes=5):
        raise Invalid(
            f"consent_at {when.isoformat(timespec='seconds')} is in the future",
            "give the time the consent was given, or leave consent_at out for now",
            param="consent_at",
        )
    return when


def forget_person(backends: Backends, principal: Principal, person_id: uuid.UUID) -> PersonInfo:
    """Delete the person and every print of theirs (erased from the database files too)."""
    gone = store.forget(backends.db, principal.organisation_id, str(person_id))
    if gone is None:
        raise NotFound(f"no person {person_id} in your organisation", LIST_FIX)
    return gone
