"""Organisations, users and API tokens. A token is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from greffier.errors import GreffierError
from greffier.store.db import Database
from greffier.store.models import ApiToken, Organisation, User, utcnow

TOKEN_PREFIX = "gfr_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class AccountError(GreffierError):
    """An organisation, user or token that cannot be created or found."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: every query of the API is scoped to `organisation_id`."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    email: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_organisation(db: Database, name: str) -> Organisation:
    try:
        with db.write() as session:
            organisation = Organisation(name=name)
            session.add(organisation)
        return organisation
    except IntegrityError:
        raise AccountError(f"organisation {name!r} already exists", "choose another name") from None


def create_user(db: Database, email: str, organisation: str, name: str | None = None) -> User:
    with db.write() as session:
        org = session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            raise AccountError(
                f"no organisation named {organisation!r}",
                f"create it first: greffier admin create-org {organisation}",
            )
        if session.scalar(select(User).where(User.email == email)) is not None:
            raise AccountError(
                f"user {email!r} already exists", "use another e-mail, or create a token for them"
            )
        user = User(email=email, name=name, organisation_id=org.id)
        session.add(user)
    return user


def create_token(db: Database, email: str, name: str = "default") -> str:
    """A new API token for the user; the only time the clear token exists."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise AccountError(
                f"no user {email!r}", "create them first: greffier admin create-user EMAIL --org ORG"
            )
        session.add(
            ApiToken(
                user_id=user.id,
                name=name,
                prefix=token[: len(TOKEN_PREFIX) + 6],
                token_hash=hash_token(token),
            )
        )
    return token


def authenticate(db: Database, token: str) -> Principal | None:
    digest = hash_token(token)
    with db.read() as session:
        row = session.execute(
            select(ApiToken.id, ApiToken.last_used, User.id, User.organisation_id, User.email)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
    if row is None:
        return None
    token_id, last_used, user_id, organisation_id, email = row
    now = utcnow()
    if last_used is None or now - last_used > _LAST_USED_RESOLUTION:  # one write a minute, not per request
        with db.write() as session:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used=now))
    return Principal(user_id=user_id, organisation_id=organisation_id, email=email)
