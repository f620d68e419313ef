"""Intelligence: watchlist entries, screening runs and alerts, and the audit log.

Refusals are audited too: a role without the right (403) and an alert the caller may not see
(404) each leave an entry with action ``denied``, written in a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from opsroom.api import publish
from opsroom.api.deps import ClientDep, CurrentUser, StateDep
from opsroom.api.schemas import (
    AlertId,
    CommentIn,
    DecisionIn,
    ScreeningRunIn,
    Text,
    WatchlistIn,
)
from opsroom.api.state import AppState
from opsroom.errors import NotFoundError, PermissionDeniedError
from opsroom.ops import audit, intel
from opsroom.ops.event_times import event_time
from opsroom.ops.identity import Principal
from opsroom.ops.roles import Permission
from opsroom.ops.scan_rules import ScanWindow
from opsroom.screening import Person
from opsroom.screening.model import PartialDate

router = APIRouter(prefix="/api/v1", tags=["intelligence"])


def _record_denial(
    state: AppState, principal: Principal, client: str, *, object_id: str, reason: str
) -> None:
    with state.database.transaction() as session:
        audit.record(
            session,
            principal,
            action="denied",
            object_type="intelligence",
            object_id=object_id[:128],
            client=client,
            reason=reason[:500],
            clock=state.clock,
        )


def require_audited(permission: Permission) -> Callable[..., Principal]:
    """Like :func:`opsroom.api.deps.require`, and a refusal is written to the audit log."""

    def check(
        principal: CurrentUser, state: StateDep, client: ClientDep, request: Request
    ) -> Principal:
        if not principal.can(permission):
            message = f"role '{principal.role.value}' may not {permission.value.replace('_', ' ')}"
            _record_denial(
                state,
                principal,
                client,
                object_id=f"{request.method} {request.url.path}",
                reason=message,
            )
            raise PermissionDeniedError(message)
        return principal

    return check


@contextmanager
def _denials_audited(
    state: AppState, principal: Principal, client: str, object_id: str
) -> Iterator[None]:
    """Audit a 404 (not visible) or 403 (not the caller's to decide) on one alert."""
    try:
        yield
    except (NotFoundError, PermissionDeniedError) as exc:
        _record_denial(state, principal, client, object_id=object_id, reason=str(exc))
        raise


Reader = Annotated[Principal, Depends(require_audited(Permission.READ_INTELLIGENCE))]
Manager = Annotated[Principal, Depends(require_audited(Permission.MANAGE_INTELLIGENCE))]
Auditor = Annotated[Principal, Depends(require_audited(Permission.READ_AUDIT))]
Reason = Annotated[
    Text, Query(max_length=500, description="Why the caller reads this (kept in the audit log).")
]


@router.get("/watchlist")
def list_watchlist(
    user: Reader, state: StateDep, client: ClientDep, reason: Reason = ""
) -> list[dict[str, Any]]:
    with state.database.transaction() as session:
        return intel.list_entries(session, user, client=client, reason=reason, clock=state.clock)


@router.post("/watchlist", status_code=201)
def add_watchlist(
    body: WatchlistIn, user: Manager, state: StateDep, client: ClientDep
) -> list[dict[str, Any]]:
    entries = [
        intel.EntryIn(
            id=e.id,
            name=e.name,
            aliases=tuple(e.aliases),
            birth_date=e.birth_date,
            nationality=e.nationality,
            doc_number=e.doc_number,
            shared_with=tuple(e.shared_with),
            tlp=e.tlp,
        )
        for e in body.entries
    ]
    with state.database.transaction() as session:
        return intel.add_entries(session, user, entries, client=client, clock=state.clock)


@router.post("/screening/runs", status_code=201)
def screening_run(
    body: ScreeningRunIn, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    """Screen people against every entry the caller's agency may see; alerts are stored.

    The alerts are dated ``screened_at`` when given (a replayed or delayed run): it must fall
    within the tournament and not in the future, as a gate scan's time (422 otherwise).
    """
    people = [
        Person(
            id=p.id,
            name=p.name,
            birth_date=PartialDate.parse(p.birth_date) if p.birth_date else None,
            nationality=p.nationality,
            doc_number=p.doc_number,
        )
        for p in body.people
    ]
    at = event_time(
        body.screened_at,
        field="screened_at",
        scenario=state.scenario,
        window=ScanWindow.from_settings(state.settings),
        clock=state.clock,
    )
    with state.database.transaction() as session:
        created = intel.screen_people(
            session, user, people, client=client, at=at, clock=state.clock
        )
        summaries = [
            (
                intel.alert_summary(row, entry, user.agency_id),
                frozenset({entry.owner_agency, *entry.shared_with}),
            )
            for row, entry in created
        ]
    for summary, audience in summaries:
        publish.screening_alert(state.bus, summary, audience, screening_agency=user.agency_id)
    return {"screened": len(people), "alerts": [s for s, _ in summaries]}


@router.get("/screening/alerts")
def list_alerts(
    user: Reader,
    state: StateDep,
    client: ClientDep,
    status: Annotated[str | None, Query(pattern="^(open|confirmed|dismissed)$")] = None,
    reason: Reason = "",
) -> list[dict[str, Any]]:
    with state.database.transaction() as session:
        return intel.list_alerts(
            session, user, status=status, client=client, reason=reason, clock=state.clock
        )


@router.get("/screening/alerts/{alert_id}")
def read_alert(
    alert_id: AlertId, user: Reader, state: StateDep, client: ClientDep, reason: Reason = ""
) -> dict[str, Any]:
    """One alert; the person and the explanation only for the agency that ran the screening."""
    with (
        _denials_audited(state, user, client, alert_id),
        state.database.transaction() as session,
    ):
        return intel.read_alert(
            session, user, alert_id, client=client, reason=reason, clock=state.clock
        )


@router.post("/screening/alerts/{alert_id}/decision")
def decide(
    alert_id: AlertId, body: DecisionIn, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    """Confirm or dismiss: only the entry's owner agency decides (403 for the others)."""
    with (
        _denials_audited(state, user, client, alert_id),
        state.database.transaction() as session,
    ):
        return intel.decide(
            session,
            user,
            alert_id,
            decision=body.decision,
            reason=body.reason,
            client=client,
            clock=state.clock,
        )


@router.post("/screening/alerts/{alert_id}/comments", status_code=201)
def comment(
    alert_id: AlertId, body: CommentIn, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    """A note on an alert, by any agency that sees it; shown with the alert to all of them."""
    with (
        _denials_audited(state, user, client, alert_id),
        state.database.transaction() as session,
    ):
        return intel.add_comment(
            session, user, alert_id, text=body.text, client=client, clock=state.clock
        )


@router.get("/audit")
def audit_log(
    user: Auditor,
    state: StateDep,
    client: ClientDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    reason: Reason = "",
) -> list[dict[str, Any]]:
    """The newest entries written by users of the caller's agency; the read itself is audited."""
    with state.database.transaction() as session:
        entries = audit.list_entries(
            session, agency_id=user.agency_id, limit=limit, object_type=object_type
        )
        audit.record(
            session,
            user,
            action="list",
            object_type="audit_log",
            object_id=f"{len(entries)} entries",
            client=client,
            reason=reason,
            clock=state.clock,
        )
    # No row ids: they number every agency's entries, so their gaps would count the others'.
    return [
        {
            "at": e.at.isoformat(),
            "username": e.username,
            "agency_id": e.agency_id,
            "role": e.role,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "client": e.client,
            "reason": e.reason,
        }
        for e in entries
    ]
