"""Agencies, users, passwords and bearer tokens.

Passwords are hashed with Argon2id (argon2-cffi's defaults, the RFC 9106 second recommended
profile). Tokens are 256-bit random strings; only their SHA-256 digest is stored, so a copy of the
database does not hand out sessions. A token works until it expires, is revoked, or its user is
disabled, and every request checks all three.

A gate account is bound to the venues it may post scans for (none unless given); other roles are
not bound to venues.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opsroom.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Problem,
)
from opsroom.ops.roles import Permission, Role, permissions_of
from opsroom.store.models import VenueRow
from opsroom.store.ops_models import AccessAgencyRow, AccessTokenRow, UserRow

Clock = Callable[[], datetime]
DEFAULT_HASHER = PasswordHasher()
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$")
AGENCY_ID = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,63}$")
VENUE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MIN_PASSWORD_LENGTH = 10
"""NIST SP 800-63B asks for at least 8 characters; operations-room accounts get 10."""


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Principal:
    """The user behind a request."""

    user_id: int
    username: str
    agency_id: str
    role: Role
    venues: frozenset[str] = frozenset()
    """For a gate account, the venues it may post scans for; empty for every other role."""

    @property
    def permissions(self) -> frozenset[Permission]:
        return permissions_of(self.role)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


@dataclass(frozen=True, kw_only=True)
class IssuedToken:
    access_token: str
    expires_in: int


def hash_password(password: str, *, hasher: PasswordHasher = DEFAULT_HASHER) -> str:
    return hasher.hash(password)


def ensure_agency(session: Session, agency_id: str, *, clock: Clock = utc_now) -> AccessAgencyRow:
    """The agency with this id, created on first use."""
    if not AGENCY_ID.match(agency_id):
        raise InvalidInputError(
            "invalid agency id",
            [Problem("use capitals, digits, '-' or '_', e.g. QA-MOI", field="agency")],
        )
    agency = session.get(AccessAgencyRow, agency_id)
    if agency is None:
        agency = AccessAgencyRow(id=agency_id, name=agency_id, created_at=clock())
        session.add(agency)
        session.flush()
    return agency


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    agency_id: str,
    role: Role | str,
    venues: Sequence[str] = (),
    clock: Clock = utc_now,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> Principal:
    """Add a user (and its agency if new); a gate account with the ``venues`` it serves."""
    problems = []
    if not USERNAME.match(username):
        problems.append(Problem("2-64 letters, digits, '_', '.', '@' or '-'", field="username"))
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Problem(f"at least {MIN_PASSWORD_LENGTH} characters are needed", field="password")
        )
    try:
        role = Role(role)
    except ValueError:
        problems.append(Problem(f"one of {', '.join(r.value for r in Role)}", field="role"))
    if not problems:
        problems.extend(_venue_problems(session, Role(role), venues))
    if problems:
        raise InvalidInputError("cannot create user", problems)
    assert isinstance(role, Role)
    if session.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise ConflictError(f"user '{username}' already exists")
    ensure_agency(session, agency_id, clock=clock)
    user = UserRow(
        username=username,
        agency_id=agency_id,
        role=role.value,
        password_hash=hash_password(password, hasher=hasher),
        disabled=False,
        created_at=clock(),
        venues=sorted(set(venues)),
    )
    session.add(user)
    session.flush()
    return _principal(user)


def _venue_problems(session: Session, role: Role, venues: Sequence[str]) -> list[Problem]:
    """What is wrong with binding an account of ``role`` to ``venues``.

    Only gate accounts are bound. A venue id must be well formed and, once a scenario is loaded,
    one of its venues (a mistyped binding would otherwise lock a gate out without a word).
    """
    if venues and role is not Role.GATE:
        return [Problem("only gate accounts are bound to venues", field="venue")]
    problems = [
        Problem(f"'{v}' is not a venue id", field="venue") for v in venues if not VENUE_ID.match(v)
    ]
    known = set(session.scalars(select(VenueRow.id)))
    if known and not problems:
        problems.extend(
            Problem(f"no venue '{v}' in any loaded scenario", field="venue")
            for v in sorted(set(venues) - known)
        )
    return problems


def set_venues(session: Session, username: str, venues: Sequence[str]) -> None:
    """Bind a gate account to ``venues`` instead of its current ones (effective at once)."""
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise NotFoundError(f"no user '{username}'")
    problems = _venue_problems(session, Role(user.role), venues)
    if problems:
        raise InvalidInputError("cannot bind user to venues", problems)
    user.venues = sorted(set(venues))


def _principal(user: UserRow) -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        agency_id=user.agency_id,
        role=Role(user.role),
        venues=frozenset(user.venues or ()),
    )


def set_password(
    session: Session,
    username: str,
    password: str,
    *,
    hasher: PasswordHasher = DEFAULT_HASHER,
    clock: Clock = utc_now,
) -> None:
    """Give a user a new password and revoke every token they hold (their open streams close)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            "password too short",
            [Problem(f"at least {MIN_PASSWORD_LENGTH} characters are needed", field="password")],
        )
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise NotFoundError(f"no user '{username}'")
    user.password_hash = hash_password(password, hasher=hasher)
    revoke_all_tokens(session, user.id, clock=clock)


def revoke_all_tokens(session: Session, user_id: int, *, clock: Clock = utc_now) -> int:
    """Revoke every live token of a user; returns how many."""
    result = session.execute(
        update(AccessTokenRow)
        .where(AccessTokenRow.user_id == user_id, AccessTokenRow.revoked_at.is_(None))
        .values(revoked_at=clock())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def set_disabled(session: Session, username: str, disabled: bool) -> None:
    """Disable (or re-enable) a user; a disabled user's tokens stop working at once."""
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise NotFoundError(f"no user '{username}'")
    user.disabled = disabled


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class StoredCredential:
    """What a sign-in needs to know of an account before the password is checked."""

    user_id: int
    agency_id: str
    password_hash: str
    disabled: bool


def credential_of(session: Session, username: str) -> StoredCredential | None:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        return None
    return StoredCredential(
        user_id=user.id,
        agency_id=user.agency_id,
        password_hash=user.password_hash,
        disabled=user.disabled,
    )


def password_matches(
    credential: StoredCredential | None, password: str, *, hasher: PasswordHasher = DEFAULT_HASHER
) -> bool:
    """Whether ``password`` is the account's; an unknown or disabled account costs the same work
    and answers False, so the answer's time does not tell which accounts exist."""
    if credential is None:
        hasher.hash(password)  # spend the same time as a real check
        return False
    try:
        hasher.verify(credential.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return not credential.disabled


def new_token(
    session: Session, user_id: int, *, lifetime: timedelta, clock: Clock = utc_now
) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    now = clock()
    session.add(
        AccessTokenRow(
            token_hash=_digest(token),
            user_id=user_id,
            issued_at=now,
            expires_at=now + lifetime,
            revoked_at=None,
        )
    )
    return IssuedToken(access_token=token, expires_in=int(lifetime.total_seconds()))


def issue_token(
    session: Session,
    *,
    username: str,
    password: str,
    lifetime: timedelta,
    clock: Clock = utc_now,
    hasher: PasswordHasher = DEFAULT_HASHER,
) -> IssuedToken:
    """Check the password and issue a bearer token; one message for every failure.

    The API signs in through :func:`credential_of`, :func:`password_matches` and
    :func:`new_token` instead, so that the password check runs outside the transaction, under its
    own concurrency cap, with back-off (``opsroom.ops.signin``).
    """
    credential = credential_of(session, username)
    if not password_matches(credential, password, hasher=hasher) or credential is None:
        raise AuthenticationError("incorrect username or password")
    return new_token(session, credential.user_id, lifetime=lifetime, clock=clock)


def authenticate(session: Session, token: str, *, clock: Clock = utc_now) -> Principal:
    """The user a token belongs to, if the token is live and the user enabled."""
    row = session.execute(
        select(AccessTokenRow, UserRow)
        .join(UserRow, UserRow.id == AccessTokenRow.user_id)
        .where(AccessTokenRow.token_hash == _digest(token))
    ).first()
    if row is None:
        raise AuthenticationError("invalid token")
    issued, user = row
    if issued.revoked_at is not None:
        raise AuthenticationError("token revoked")
    if issued.expires_at <= clock():
        raise AuthenticationError("token expired")
    if user.disabled:
        raise AuthenticationError("user disabled")
    return _principal(user)


def revoke_token(session: Session, token: str, *, clock: Clock = utc_now) -> None:
    session.execute(
        update(AccessTokenRow)
        .where(AccessTokenRow.token_hash == _digest(token), AccessTokenRow.revoked_at.is_(None))
        .values(revoked_at=clock())
    )
