"""Dependencies with names: the app state, a transaction, the caller and what it may do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from opsroom.api.state import AppState
from opsroom.errors import AuthenticationError, PermissionDeniedError
from opsroom.ops.identity import Principal, authenticate
from opsroom.ops.roles import Permission

_bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.opsroom
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A read-only session for the request.

    Its transaction ends after the answer has been sent, so routes that write open their own
    (``with state.database.transaction()``) and commit before they answer.
    """
    with state.database.transaction() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


STREAM_PATH = "/api/v1/stream"
"""The one route that also takes its token as ``?access_token=`` (browsers' EventSource cannot
send headers); everywhere else a token in the URL would end up in logs and histories."""


def bearer_token(request: Request, header_token: Annotated[str | None, Depends(_bearer)]) -> str:
    token = header_token
    if token is None and request.url.path == STREAM_PATH:
        token = request.query_params.get("access_token")
    if not token:
        raise AuthenticationError("a bearer token is needed")
    return token


TokenDep = Annotated[str, Depends(bearer_token)]


def current_principal(state: StateDep, token: TokenDep) -> Principal:
    with state.database.transaction() as session:
        return authenticate(session, token, clock=state.clock)


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that lets through only callers whose role has ``permission``."""

    def check(principal: CurrentUser) -> Principal:
        if not principal.can(permission):
            raise PermissionDeniedError(
                f"role '{principal.role.value}' may not {permission.value.replace('_', ' ')}"
            )
        return principal

    return check


def client_of(request: Request) -> str:
    """The caller's address: the socket's, or what a trusted proxy said
    (``OPSROOM_TRUSTED_PROXIES``; the application applies it before any route runs)."""
    return request.client.host if request.client is not None else "unknown"


def token_is_live(state: AppState, token: str) -> bool:
    """Whether ``token`` is live and its user enabled (for checks made outside a route)."""
    try:
        with state.database.transaction() as session:
            authenticate(session, token, clock=state.clock)
    except AuthenticationError:
        return False
    return True


ClientDep = Annotated[str, Depends(client_of)]
