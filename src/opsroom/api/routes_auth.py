"""Sign in, sign out, and who am I.

Signing in is built so that a flood of it cannot harm the rest of the service: the route is
asynchronous, its short database steps run on the worker threads, and the password check (Argon2,
64 MiB and tens of milliseconds of CPU each) runs under a cap of its own
(``OPSROOM_PASSWORD_HASH_CONCURRENCY``). Sign-ins waiting for that cap wait on the event loop, not
on a worker thread, and past ``OPSROOM_PASSWORD_HASH_QUEUE`` of them the next gets a 503 at once.
Failed and refused sign-ins are written to the audit log with the name tried and the address.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

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


def _wait(state: AppState, username: str, client: str) -> timedelta:
    """The wait still to run for this account or address; reads only, so a refused attempt costs
    no write."""
    with state.database.transaction() as session:
        return signin.wait_for(session, list(_keys(state, username, client)), state.clock())


def _begin(
    state: AppState, username: str, client: str
) -> tuple[timedelta, StoredCredential | None]:
    """Count the attempt (or learn it must wait) and look the account up, in one transaction."""
    with state.database.transaction() as session:
        wait = signin.begin_attempt(session, _keys(state, username, client), state.clock())
        return wait, credential_of(session, username) if wait == timedelta(0) else None


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
    until = state.clock() + wait
    seen = (username[:64], client, until.replace(microsecond=0).isoformat())
    if seen not in state.throttles_audited:
        if len(state.throttles_audited) >= 10_000:
            state.throttles_audited.clear()
        state.throttles_audited.add(seen)
        await run_in_threadpool(_audit, state, username, client, "sign_in_throttled")
    raise TooManyRequestsError(
        "too many failed sign-ins: wait before trying again",
        retry_after=math.ceil(wait.total_seconds()),
    )


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
    wait = await run_in_threadpool(_wait, state, username, client)
    if wait > timedelta(0):
        await _refuse_for(state, username, client, wait)
    if state.hash_waiting >= state.settings.password_hash_queue:
        raise TooManyRequestsError(
            "too many sign-ins at once: try again in a moment", retry_after=1, status_code=503
        )
    state.hash_waiting += 1
    try:
        wait, credential = await run_in_threadpool(_begin, state, username, client)
        if wait > timedelta(0):
            await _refuse_for(state, username, client, wait)
        matches = await anyio.to_thread.run_sync(
            lambda: password_matches(credential, form.password, hasher=state.hasher),
            limiter=state.hash_limiter,
        )
    finally:
        state.hash_waiting -= 1
    if not matches or credential is None:
        agency = credential.agency_id if credential is not None else ""
        await run_in_threadpool(_audit, state, username, client, "sign_in_failed", agency)
        raise AuthenticationError("incorrect username or password")
    issued = await run_in_threadpool(_succeeded, state, username, client, credential.user_id)
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
