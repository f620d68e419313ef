"""Sign in, sign out, and who am I.

Signing in is built so that a flood of it cannot harm the rest of the service: the route is
asynchronous, its short database steps run on the worker threads, and the password check (Argon2,
64 MiB and tens of milliseconds of CPU each) runs under a cap of its own
(``OPSROOM_PASSWORD_HASH_CONCURRENCY``). Sign-ins waiting for that cap wait on the event loop, not
on a worker thread, and past ``OPSROOM_PASSWORD_HASH_QUEUE`` of them the next gets a 503 at once.
Failed and refused sign-ins are written to the audit log with the name tried and the address.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from opsroom.api.deps import ClientDep, CurrentUser, StateDep, TokenDep
from opsroom.api.schemas import MeOut, TokenOut
from opsroom.api.state import AppState
from opsroom.errors import (
    AuthenticationError,
    InvalidInputError,
    Problem,
    TooManyRequestsError,
)
from opsroom.ops import audit, signin
from opsroom.ops.identity import (
    IssuedToken,
    StoredCredential,
    credential_of,
    new_token,
    password_matches,
    revoke_token,
)

router = APIRouter(prefix="/api/v1", tags=["auth"])
T = TypeVar("T")


async def _db(state: AppState, fn: Callable[..., T], *args: Any) -> T:
    """Run a sign-in's database step on a worker thread, at most two sign-ins at a time: a flood
    of sign-ins waits on the event loop instead of holding the worker threads and database
    connections that gate scans need."""
    return await anyio.to_thread.run_sync(functools.partial(fn, *args), limiter=state.sign_in_db)


def _keys(state: AppState, username: str, client: str) -> dict[str, int]:
    return {
        signin.account_key(username): state.settings.sign_in_free_failures,
        signin.address_key(client): state.settings.sign_in_free_failures_per_address,
    }


def _audit(
    state: AppState, username: str, client: str, action: str, agency_id: str | None = None
) -> None:
    """One audit entry for a sign-in; the agency is the account's, when it exists."""
    with state.database.transaction() as session:
        if agency_id is None:
            credential = credential_of(session, username)
            agency_id = credential.agency_id if credential is not None else ""
        audit.record_event(
            session,
            username=username,
            agency_id=agency_id,
            role="",
            action=action,
            object_type="sign_in",
            object_id=username,
            client=client,
            clock=state.clock,
        )


def _blocked(state: AppState, username: str, client: str) -> dict[str, datetime]:
    """The account's and address's waits still to run; reads only, so a refused attempt costs
    no write."""
    with state.database.transaction() as session:
        return signin.blocked(session, list(_keys(state, username, client)), state.clock())


def _begin(
    state: AppState, username: str, client: str
) -> tuple[timedelta, dict[str, datetime], StoredCredential | None]:
    """Count the attempt (or learn it must wait) and look the account up, in one transaction."""
    with state.database.transaction() as session:
        wait, ends = signin.begin_attempt(session, _keys(state, username, client), state.clock())
        credential = credential_of(session, username) if wait == timedelta(0) else None
        return wait, ends, credential


def _remember(state: AppState, ends: dict[str, datetime]) -> None:
    """Keep the waits in memory: later attempts under them are refused without a thread or a
    read of the database (the database stays the truth; this only spares it)."""
    if len(state.sign_in_blocks) >= 10_000:
        now = state.clock()
        for key in [k for k, end in state.sign_in_blocks.items() if end <= now]:
            del state.sign_in_blocks[key]
    state.sign_in_blocks.update(ends)


def _succeeded(state: AppState, username: str, client: str, user_id: int) -> IssuedToken:
    lifetime = timedelta(minutes=state.settings.token_lifetime_minutes)
    with state.database.transaction() as session:
        signin.succeeded(
            session,
            signin.account_key(username),
            signin.address_key(client),
            state.settings.sign_in_free_failures_per_address,
            state.clock(),
        )
        return new_token(session, user_id, lifetime=lifetime, clock=state.clock)


async def _refuse_for(state: AppState, username: str, client: str, wait: timedelta) -> None:
    """429 with Retry-After; audited once per account, address and wait, not once per attempt,
    so a flood of refused attempts does not become a flood of writes."""
    if state.first_refusal_of(username, client, state.clock() + wait):
        await _db(state, _audit, state, username, client, "sign_in_throttled")
    raise TooManyRequestsError(
        "too many failed sign-ins: wait before trying again",
        retry_after=math.ceil(wait.total_seconds()),
    )


async def _check_password(
    state: AppState, credential: StoredCredential | None, password: str
) -> bool:
    """The password check, on the low-priority threads kept for it (``AppState.hashers``), at
    most ``password_hash_concurrency`` at once and paced: after a check that took t, the next may
    start only ``password_hash_pause_ratio`` × t later. A lone sign-in never waits."""
    async with state.hash_limiter:
        delay = state.next_hash_at - time.monotonic()
        if delay > 0:
            await anyio.sleep(delay)
        started = time.monotonic()
        try:
            return await asyncio.wrap_future(
                state.hashers.submit(password_matches, credential, password, hasher=state.hasher)
            )
        finally:
            took = time.monotonic() - started
            state.next_hash_at = time.monotonic() + took * state.settings.password_hash_pause_ratio


@router.post("/auth/token", response_model=TokenOut, responses={429: {}, 503: {}})
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], state: StateDep, client: ClientDep
) -> TokenOut:
    """Exchange a username and password for a bearer token (usable as soon as it is returned).

    After a few failures for one account or one address, further attempts must wait (429 with
    ``Retry-After``), the wait doubling with each failure up to 15 minutes. Each attempt is
    counted before its password is checked, so parallel guesses share one count.
    """
    username = form.username
    nul = [
        Problem("NUL characters are not allowed", field=f)
        for f in ("username", "password")
        if "\x00" in getattr(form, f)
    ]
    if nul:
        raise InvalidInputError("sign-in refused", nul)
    now = state.clock()
    keys = _keys(state, username, client)
    known = {k: end for k in keys if (end := state.sign_in_blocks.get(k)) and end > now}
    if not known:
        known = await _db(state, _blocked, state, username, client)
        _remember(state, known)
    if known:
        await _refuse_for(state, username, client, signin.longest_wait(known, now))
    if state.hash_waiting >= state.settings.password_hash_queue:
        raise TooManyRequestsError(
            "too many sign-ins at once: try again in a moment", retry_after=1, status_code=503
        )
    state.hash_waiting += 1
    try:
        wait, ends, credential = await _db(state, _begin, state, username, client)
        _remember(state, ends)
        if wait > timedelta(0):
            await _refuse_for(state, username, client, wait)
        matches = await _check_password(state, credential, form.password)
    finally:
        state.hash_waiting -= 1
    if not matches or credential is None:
        agency = credential.agency_id if credential is not None else ""
        await _db(state, _audit, state, username, client, "sign_in_failed", agency)
        raise AuthenticationError("incorrect username or password")
    issued = await _db(state, _succeeded, state, username, client, credential.user_id)
    for key in keys:
        state.sign_in_blocks.pop(key, None)
    return TokenOut(access_token=issued.access_token, expires_in=issued.expires_in)


@router.post("/auth/logout", status_code=204)
def logout(_user: CurrentUser, token: TokenDep, state: StateDep) -> Response:
    """Revoke the token used for this request (an open live stream on it closes too)."""
    with state.database.transaction() as session:
        revoke_token(session, token, clock=state.clock)
    return Response(status_code=204)


@router.get("/me", response_model=MeOut)
def me(user: CurrentUser) -> MeOut:
    return MeOut(
        username=user.username,
        agency_id=user.agency_id,
        role=user.role.value,
        permissions=sorted(p.value for p in user.permissions),
    )
