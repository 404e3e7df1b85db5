"""Organisations, users and API tokens. A token is shown once; only its SHA-256 is stored.

Each user is an organisation's admin or a member (`Role`): the first user of an organisation is its
admin, others are members unless created or set as admins (`greffier admin set-role`).

Signing in to the web app (e-mail and password, or an API token) issues a new token that expires,
kept by the browser in an HttpOnly cookie; signing out deletes it. Passwords are stored as scrypt
hashes (`hashlib.scrypt`, RFC 7914 parameters n=2**14, r=8, p=1).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from greffier.errors import GreffierError
from greffier.store.db import Database
from greffier.store.models import ApiToken, Organisation, Role, User, utcnow

TOKEN_PREFIX = "gfr_"
SESSION_TOKEN_NAME = "web sign-in"
MIN_PASSWORD_LENGTH = 8
_LAST_USED_RESOLUTION = timedelta(minutes=1)
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


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


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(
            f"unknown role {role!r}", f"use one of {', '.join(r.value for r in Role)}"
        ) from None


def create_user(
    db: Database, email: str, organisation: str, name: str | None = None, role: str | None = None
) -> User:
    """A user of `organisation`; `role` None: the admin if they are its first user, else a member."""
    chosen = _role(role) if role is not None else None
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
        if chosen is None:
            first = session.scalar(select(User.id).where(User.organisation_id == org.id).limit(1)) is None
            chosen = Role.ADMIN if first else Role.MEMBER
        user = User(email=email, name=name, organisation_id=org.id, role=chosen)
        session.add(user)
    return user


def set_role(db: Database, email: str, role: str) -> None:
    chosen = _role(role)
    with db.write() as session:
        _user(session, email).role = chosen


def role_of(db: Database, principal: Principal) -> Role:
    with db.read() as session:
        found = session.scalar(select(User.role).where(User.id == principal.user_id))
    return Role(found) if found is not None else Role.MEMBER


def _user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise AccountError(
            f"no user {email!r}", "create them first: greffier admin create-user EMAIL --org ORG"
        )
    return user


def _issue(session: Session, user_id: uuid.UUID, name: str, expires: datetime | None = None) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user_id,
            name=name,
            prefix=token[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(token),
            expires=expires,
        )
    )
    return token


def create_token(db: Database, email: str, name: str = "default") -> str:
    """A new API token for the user; the only time the clear token exists."""
    with db.write() as session:
        return _issue(session, _user(session, email).id, name)


def create_session(db: Database, principal: Principal, lifetime: timedelta) -> tuple[str, datetime]:
    """A web sign-in: a token that expires after `lifetime`; returns it and its expiry."""
    now = utcnow()
    expires = now + lifetime
    with db.write() as session:
        session.execute(delete(ApiToken).where(ApiToken.expires <= now))  # expired sign-ins
        return _issue(session, principal.user_id, SESSION_TOKEN_NAME, expires), expires


def revoke_token(db: Database, token: str) -> None:
    with db.write() as session:
        session.execute(delete(ApiToken).where(ApiToken.token_hash == hash_token(token)))


# -- passwords ---------------------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=128 * r * (n + p + 2), dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(stored: str, password: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def set_password(db: Database, email: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password is too short ({len(password)} characters)",
            f"use at least {MIN_PASSWORD_LENGTH} characters (a few words make a good one)",
        )
    with db.write() as session:
        _user(session, email).password_hash = hash_password(password)


def check_password(db: Database, email: str, password: str) -> Principal | None:
    """The user whose e-mail and password these are, or None (as slow for an unknown e-mail)."""
    with db.read() as session:
        user = session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    stored = user.password_hash if user is not None else None
    valid = verify_password(stored or _DUMMY_HASH, password)
    if user is None or stored is None or not valid:
        return None
    return Principal(user_id=user.id, organisation_id=user.organisation_id, email=user.email)


@dataclass(frozen=True)
class Account:
    email: str
    name: str | None
    organisation: str
    role: Role


def account(db: Database, principal: Principal) -> Account:
    with db.read() as session:
        email, name, organisation, user_role = session.execute(
            select(User.email, User.name, Organisation.name, User.role)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.id == principal.user_id)
        ).one()
    return Account(email=email, name=name, organisation=organisation, role=Role(user_role))


# -- checking tokens ---------------------------------------------------------------------------------
def authenticate(db: Database, token: str) -> Principal | None:
    digest = hash_token(token)
    with db.read() as session:
        row = session.execute(
            select(
                ApiToken.id, ApiToken.last_used, ApiToken.expires, User.id, User.organisation_id, User.email
            )
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)
        ).first()
    if row is None:
        return None
    token_id, last_used, expires, user_id, organisation_id, email = row
    now = utcnow()
    if expires is not None and expires <= now:
        return None
    if last_used is None or now - last_used > _LAST_USED_RESOLUTION:  # one write a minute, not per request
        with db.write() as session:
            session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used=now))
    return Principal(user_id=user_id, organisation_id=organisation_id, email=email)
