"""Sign in, sign out, and who am I."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from opsroom.api.deps import CurrentUser, StateDep, TokenDep
from opsroom.api.schemas import MeOut, TokenOut
from opsroom.ops.identity import issue_token, revoke_token

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post("/auth/token", response_model=TokenOut)
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], state: StateDep) -> TokenOut:
    """Exchange a username and password for a bearer token (usable as soon as it is returned)."""
    with state.database.transaction() as session:
        issued = issue_token(
            session,
            username=form.username,
            password=form.password,
            lifetime=timedelta(minutes=state.settings.token_lifetime_minutes),
            clock=state.clock,
            hasher=state.hasher,
        )
    return TokenOut(access_token=issued.access_token, expires_in=issued.expires_in)


@router.post("/auth/logout", status_code=204)
def logout(_user: CurrentUser, token: TokenDep, state: StateDep) -> Response:
    """Revoke the token used for this request."""
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
