"""People and their voiceprints in the database, scoped to one organisation: the service's, and the
CLI's local store (`people.local`: the same tables in a SQLite file of its own).

Forgetting a person deletes the row and, by ON DELETE CASCADE, every print of theirs at once; on
SQLite `secure_delete` zeroes the freed pages and `Database.erase_deleted` empties the write-ahead
log, so the print's bytes are in neither file afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from greffier.people.identify import PrintIndex
from greffier.people.model import Consent, PersonInfo, Voiceprint
from greffier.people.voiceprint import from_bytes, to_bytes
from greffier.store.db import Database
from greffier.store.models import Person, PersonVoiceprint


def _info(person: Person, prints: int) -> PersonInfo:
    consent = Consent(person.consent_by, person.consent_recorded_by, person.consent_at)
    return PersonInfo(str(person.id), person.name, person.email, consent, prints, person.created)


def _counts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = session.execute(
        select(PersonVoiceprint.person_id, func.count())
        .where(PersonVoiceprint.person_id.in_(ids))
        .group_by(PersonVoiceprint.person_id)
    )
    return {person_id: count for person_id, count in rows}


def list_people(session: Session, organisation_id: uuid.UUID) -> list[PersonInfo]:
    people = session.scalars(
        select(Person).where(Person.organisation_id == organisation_id).order_by(Person.name)
    ).all()
    counts = _counts(session, [p.id for p in people])
    return [_info(p, counts.get(p.id, 0)) for p in people]


def find_person(session: Session, organisation_id: uuid.UUID, key: str) -> Person | None:
    """The organisation's person of this id or name (another organisation's: None)."""
    try:
        by_id = Person.id == uuid.UUID(key)
    except ValueError:
        by_id = None
    where = Person.name == key if by_id is None else by_id | (Person.name == key)
    return session.scalar(select(Person).where(Person.organisation_id == organisation_id, where))


def person_info(session: Session, person: Person) -> PersonInfo:
    return _info(person, _counts(session, [person.id]).get(person.id, 0))


def enrol(
    session: Session,
    organisation_id: uuid.UUID,
    name: str,
    print_: Voiceprint,
    consent: Consent,
    email: str | None = None,
) -> Person:
    """Add a print to the person of this name (made if new); the consent given now is recorded."""
    person = session.scalar(
        select(Person).where(Person.organisation_id == organisation_id, Person.name == name)
    )
    if person is None:
        person = Person(organisation_id=organisation_id, name=name)
        session.add(person)
    person.email = email or person.email
    person.consent_by = consent.given_by
    person.consent_at = consent.given_at
    person.consent_recorded_by = consent.recorded_by
    session.flush()
    session.add(
        PersonVoiceprint(
            person_id=person.id, vector=to_bytes(print_.vector), seconds=print_.seconds, source=print_.source
        )
    )
    session.flush()
    return person


def forget(db: Database, organisation_id: uuid.UUID, key: str) -> PersonInfo | None:
    """Delete the person of this id or name and every print of theirs; None: no such person."""
    with db.write() as session:
        person = find_person(session, organisation_id, key)
        if person is None:
            return None
        info = person_info(session, person)
        session.delete(person)  # the prints go by ON DELETE CASCADE
    db.erase_deleted()
    return info


def print_index(session: Session, organisation_id: uuid.UUID) -> PrintIndex:
    rows = session.execute(
        select(Person.id, Person.name, PersonVoiceprint.vector)
        .join(PersonVoiceprint, PersonVoiceprint.person_id == Person.id)
        .where(Person.organisation_id == organisation_id)
    )
    return PrintIndex([(str(person_id), name, from_bytes(vector)) for person_id, name, vector in rows])
