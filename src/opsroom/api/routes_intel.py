"""Intelligence: watchlist entries, screening runs and alerts, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from opsroom.api import publish
from opsroom.api.deps import ClientDep, SessionDep, StateDep, require
from opsroom.api.schemas import DecisionIn, RowId, ScreeningRunIn, Text, WatchlistIn
from opsroom.ops import audit, intel
from opsroom.ops.identity import Principal
from opsroom.ops.roles import Permission
from opsroom.screening import Person
from opsroom.screening.model import PartialDate

router = APIRouter(prefix="/api/v1", tags=["intelligence"])
Reader = Annotated[Principal, Depends(require(Permission.READ_INTELLIGENCE))]
Manager = Annotated[Principal, Depends(require(Permission.MANAGE_INTELLIGENCE))]
Auditor = Annotated[Principal, Depends(require(Permission.READ_AUDIT))]
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
    """Screen people against every entry the caller's agency may see; alerts are stored."""
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
    with state.database.transaction() as session:
        created = intel.screen_people(session, user, people, client=client, clock=state.clock)
        summaries = [
            (intel.alert_summary(row, entry), frozenset({entry.owner_agency, *entry.shared_with}))
            for row, entry in created
        ]
    for summary, audience in summaries:
        publish.screening_alert(state.bus, summary, audience)
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
    alert_id: RowId, user: Reader, state: StateDep, client: ClientDep, reason: Reason = ""
) -> dict[str, Any]:
    """One alert with its explanation; the read is written to the audit log."""
    with state.database.transaction() as session:
        return intel.read_alert(
            session, user, alert_id, client=client, reason=reason, clock=state.clock
        )


@router.post("/screening/alerts/{alert_id}/decision")
def decide(
    alert_id: RowId, body: DecisionIn, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    with state.database.transaction() as session:
        return intel.decide(
            session,
            user,
            alert_id,
            decision=body.decision,
            reason=body.reason,
            client=client,
            clock=state.clock,
        )


@router.get("/audit")
def audit_log(
    _user: Auditor,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    return [
        {
            "id": e.id,
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
        for e in audit.list_entries(session, limit=limit, object_type=object_type)
    ]
