"""Incidents and units: report, follow, dispatch."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from opsroom.api import publish
from opsroom.api.deps import ClientDep, SessionDep, StateDep, require
from opsroom.api.schemas import DispatchIn, IncidentIn, IncidentPatch, RowId, UnitIn, UnitPatch
from opsroom.ops import incidents, units
from opsroom.ops.identity import Principal
from opsroom.ops.incidents import IncidentStatus
from opsroom.ops.roles import Permission
from opsroom.ops.scan_rules import ScanWindow

router = APIRouter(prefix="/api/v1", tags=["incidents and units"])
Reader = Annotated[Principal, Depends(require(Permission.READ_OPERATIONS))]
Manager = Annotated[Principal, Depends(require(Permission.MANAGE_INCIDENTS))]
StatusFilter = Annotated[
    str | None,
    Query(
        pattern="^(open|reported|acknowledged|dispatched|on_scene|resolved|closed)$",
        description="'open' for every incident not closed.",
    ),
]


@router.get("/units")
def list_units(_user: Reader, session: SessionDep) -> list[dict[str, Any]]:
    return [u.to_dict() for u in units.list_units(session)]


@router.post("/units", status_code=201)
def create_unit(body: UnitIn, user: Manager, state: StateDep, client: ClientDep) -> dict[str, Any]:
    """Add a unit of the caller's agency; naming another agency is refused (403)."""
    with state.database.transaction() as session:
        created = units.create_unit(
            session,
            state.scenario,
            user,
            unit_id=body.id,
            agency_id=body.agency_id,
            name=body.name,
            kind=body.kind,
            capabilities=tuple(body.capabilities),
            venue_id=body.venue_id,
            node_id=body.node_id,
            lat=body.lat,
            lon=body.lon,
            client=client,
            clock=state.clock,
        ).to_dict()
    publish.unit(state.bus, created)
    return created


@router.patch("/units/{unit_id}")
def patch_unit(
    unit_id: str, body: UnitPatch, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    """Change a unit of the caller's agency; another agency's unit is refused (403)."""
    with state.database.transaction() as session:
        changed = units.update_unit(
            session,
            state.scenario,
            unit_id,
            user,
            changes=body.model_dump(exclude_unset=True),
            client=client,
            clock=state.clock,
        ).to_dict()
    publish.unit(state.bus, changed)
    return changed


@router.get("/incidents")
def list_incidents(
    _user: Reader, session: SessionDep, status: StatusFilter = None
) -> list[dict[str, Any]]:
    return [i.to_dict() for i in incidents.list_incidents(session, status=status)]


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: RowId, _user: Reader, session: SessionDep) -> dict[str, Any]:
    return incidents.get_incident(session, incident_id).to_dict()


@router.post("/incidents", status_code=201)
def report(body: IncidentIn, user: Manager, state: StateDep) -> dict[str, Any]:
    with state.database.transaction() as session:
        created = incidents.report_incident(
            session,
            state.scenario,
            user,
            type=body.type,
            priority=body.priority,
            description=body.description,
            venue_id=body.venue_id,
            gate_id=body.gate_id,
            lat=body.lat,
            lon=body.lon,
            required_capability=body.required_capability,
            reported_at=body.reported_at,
            window=ScanWindow.from_settings(state.settings),
            clock=state.clock,
        ).to_dict()
    publish.incident(state.bus, created)
    return created


@router.patch("/incidents/{incident_id}")
def update(
    incident_id: RowId, body: IncidentPatch, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    with state.database.transaction() as session:
        changed = incidents.update_incident(
            session,
            incident_id,
            user,
            status=IncidentStatus(body.status) if body.status is not None else None,
            priority=body.priority,
            note=body.note,
            client=client,
            scenario=state.scenario,
            at=body.at,
            window=ScanWindow.from_settings(state.settings),
            clock=state.clock,
        ).to_dict()
    publish.incident(state.bus, changed)
    return changed


@router.post("/incidents/{incident_id}/dispatch")
def dispatch(
    incident_id: RowId, body: DispatchIn, user: Manager, state: StateDep, client: ClientDep
) -> dict[str, Any]:
    """Send the given unit, or the nearest available one with the required capability.

    Any agency's unit may be sent. A unit taken by a simultaneous dispatch is skipped for the next
    suitable one; when none is left the answer is 409.
    """
    with state.database.transaction() as session:
        sent = incidents.dispatch(
            session,
            state.scenario,
            incident_id,
            user,
            unit_id=body.unit_id,
            client=client,
            at=body.at,
            window=ScanWindow.from_settings(state.settings),
            clock=state.clock,
        ).to_dict()
    publish.incident(state.bus, sent["incident"])
    publish.unit(state.bus, sent["unit"])
    return sent
