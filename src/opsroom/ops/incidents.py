"""Incidents: report, move through the lifecycle, dispatch the nearest suitable unit.

Lifecycle: reported → acknowledged → dispatched → on_scene → resolved → closed, one step at a
time; dispatching a reported incident acknowledges it first. Every change is written to the
incident's timeline with its author, and every change of a unit to the audit log.

An event carries the time it happened when the client gives one (``reported_at``, ``at``: a
replayed or delayed feed), checked by :func:`opsroom.ops.event_times.event_time`, else the
server's clock; the server's time of receipt is kept beside it (``received_at``).

Dispatch claims the incident and then its unit with conditional UPDATEs (see
:func:`opsroom.ops.units.claim`): of simultaneous dispatches needing the same unit, one gets it and
the others take the next suitable unit or are refused with a conflict. In the joint room any
agency's unit may be dispatched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from opsroom.errors import ConflictError, InvalidInputError, NotFoundError, Problem
from opsroom.ops import audit
from opsroom.ops.event_times import EventTime, event_time
from opsroom.ops.geo import haversine_m, outside_area, speed_of, walking_distance_m
from opsroom.ops.identity import Clock, Principal, utc_now
from opsroom.ops.scan_rules import DEFAULT_WINDOW, ScanWindow
from opsroom.ops.units import Unit, UnitStatus, claim, get_row, to_unit
from opsroom.scenario import Scenario
from opsroom.store.ops_models import IncidentEventRow, IncidentRow, UnitRow


class IncidentStatus(StrEnum):
    REPORTED = "reported"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CLOSED = "closed"


LIFECYCLE = tuple(IncidentStatus)
DISPATCHABLE = (IncidentStatus.REPORTED, IncidentStatus.ACKNOWLEDGED)
NEXT = {LIFECYCLE[i]: LIFECYCLE[i + 1] for i in range(len(LIFECYCLE) - 1)}
OPEN_STATUSES = tuple(s for s in IncidentStatus if s is not IncidentStatus.CLOSED)
PRIORITIES = range(1, 5)
"""1 is the most urgent (life at risk), 4 the least."""


@dataclass(frozen=True, kw_only=True)
class TimelineEntry:
    at: datetime
    author: str
    kind: str
    from_status: str | None
    to_status: str | None
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "author": self.author,
            "kind": self.kind,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "note": self.note,
        }


@dataclass(frozen=True, kw_only=True)
class Incident:
    id: int
    type: str
    priority: int
    description: str
    venue_id: str | None
    gate_id: str | None
    lat: float | None
    lon: float | None
    required_capability: str | None
    status: IncidentStatus
    unit_id: str | None
    reported_by: str
    agency_id: str
    created_at: datetime
    updated_at: datetime
    timeline: tuple[TimelineEntry, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "priority": self.priority,
            "description": self.description,
            "venue_id": self.venue_id,
            "gate_id": self.gate_id,
            "lat": self.lat,
            "lon": self.lon,
            "required_capability": self.required_capability,
            "status": self.status.value,
            "unit_id": self.unit_id,
            "reported_by": self.reported_by,
            "agency_id": self.agency_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "timeline": [t.to_dict() for t in self.timeline],
        }


@dataclass(frozen=True, kw_only=True)
class Dispatch:
    incident: Incident
    unit: Unit
    distance_m: float
    travel_time_s: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident.to_dict(),
            "unit": self.unit.to_dict(),
            "distance_m": round(self.distance_m, 1),
            "travel_time_s": round(self.travel_time_s, 1),
            "method": self.method,
        }


def _to_incident(session: Session, row: IncidentRow) -> Incident:
    events = session.scalars(
        select(IncidentEventRow)
        .where(IncidentEventRow.incident_id == row.id)
        .order_by(IncidentEventRow.id)
    )
    return Incident(
        id=row.id,
        type=row.type,
        priority=row.priority,
        description=row.description,
        venue_id=row.venue_id,
        gate_id=row.gate_id,
        lat=row.lat,
        lon=row.lon,
        required_capability=row.required_capability,
        status=IncidentStatus(row.status),
        unit_id=row.unit_id,
        reported_by=row.reported_by,
        agency_id=row.agency_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        timeline=tuple(
            TimelineEntry(
                at=e.at,
                author=e.author,
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
            )
            for e in events
        ),
    )


def _log(
    session: Session,
    row: IncidentRow,
    author: str,
    kind: str,
    *,
    at: EventTime,
    to_status: IncidentStatus | None = None,
    note: str = "",
) -> None:
    from_status = row.status if to_status is not None else None
    if to_status is not None:
        row.status = to_status.value
    row.updated_at = max(row.updated_at, at.at)
    session.add(
        IncidentEventRow(
            incident_id=row.id,
            at=at.at,
            received_at=at.received_at,
            author=author,
            kind=kind,
            from_status=from_status,
            to_status=to_status.value if to_status is not None else None,
            note=note,
        )
    )


def report_incident(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    type: str,
    priority: int,
    description: str,
    venue_id: str | None = None,
    gate_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    required_capability: str | None = None,
    reported_at: datetime | None = None,
    window: ScanWindow = DEFAULT_WINDOW,
    clock: Clock = utc_now,
) -> Incident:
    """Report an incident, dated ``reported_at`` when given (see the module's description)."""
    problems = []
    if priority not in PRIORITIES:
        problems.append(Problem("must be 1 (most urgent) to 4", field="priority"))
    if venue_id is not None and venue_id not in {v.id for v in scenario.venues}:
        problems.append(Problem(f"unknown venue '{venue_id}'", field="venue_id"))
    elif gate_id is not None and (
        venue_id is None or gate_id not in {g.id for g in scenario.gates_of(venue_id)}
    ):
        problems.append(Problem(f"venue '{venue_id}' has no gate '{gate_id}'", field="gate_id"))
    if venue_id is None and (lat is None or lon is None):
        problems.append(Problem("give a venue or both lat and lon", field="venue_id"))
    problems.extend(outside_area(scenario, lat, lon))
    if problems:
        raise InvalidInputError("cannot report incident", problems)
    now = event_time(
        reported_at, field="reported_at", scenario=scenario, window=window, clock=clock
    )
    row = IncidentRow(
        scenario_id=scenario.info.id,
        type=type,
        priority=priority,
        description=description,
        venue_id=venue_id,
        gate_id=gate_id,
        lat=lat,
        lon=lon,
        required_capability=required_capability,
        status=IncidentStatus.REPORTED.value,
        unit_id=None,
        reported_by=principal.username,
        agency_id=principal.agency_id,
        created_at=now.at,
        updated_at=now.at,
        received_at=now.received_at,
    )
    session.add(row)
    session.flush()
    _log(session, row, principal.username, "reported", at=now, note=description)
    session.flush()
    return _to_incident(session, row)


def _row(session: Session, incident_id: int) -> IncidentRow:
    row = session.get(IncidentRow, incident_id)
    if row is None:
        raise NotFoundError(f"no incident {incident_id}")
    return row


def get_incident(session: Session, incident_id: int) -> Incident:
    return _to_incident(session, _row(session, incident_id))


def list_incidents(session: Session, *, status: str | None = None) -> list[Incident]:
    query = select(IncidentRow).order_by(IncidentRow.id.desc())
    if status == "open":
        query = query.where(IncidentRow.status.in_([s.value for s in OPEN_STATUSES]))
    elif status is not None:
        query = query.where(IncidentRow.status == IncidentStatus(status).value)
    return [_to_incident(session, row) for row in session.scalars(query)]


def update_incident(
    session: Session,
    incident_id: int,
    principal: Principal,
    *,
    status: IncidentStatus | None = None,
    priority: int | None = None,
    note: str | None = None,
    client: str,
    scenario: Scenario,
    at: datetime | None = None,
    window: ScanWindow = DEFAULT_WINDOW,
    clock: Clock = utc_now,
) -> Incident:
    """Move the incident one step, change its priority or add a note, dated ``at`` if given."""
    row = _row(session, incident_id)
    now = event_time(
        at, field="at", scenario=scenario, window=window, clock=clock, not_before=row.created_at
    )
    if status is not None:
        current = IncidentStatus(row.status)
        if NEXT.get(current) is not status:
            allowed = NEXT.get(current)
            raise ConflictError(
                f"incident {incident_id} is {current.value}: it can move to "
                f"{allowed.value if allowed else 'nothing (closed)'}, not {status.value}"
            )
        if status is IncidentStatus.DISPATCHED:
            raise ConflictError("use the dispatch endpoint to dispatch a unit")
        _log(session, row, principal.username, "status", at=now, to_status=status, note=note or "")
        if row.unit_id is not None and status in (IncidentStatus.ON_SCENE, IncidentStatus.RESOLVED):
            unit = get_row(session, row.unit_id)
            unit.status = (
                UnitStatus.ON_SCENE if status is IncidentStatus.ON_SCENE else UnitStatus.AVAILABLE
            ).value
            unit.updated_at = now.received_at
            audit.record(
                session,
                principal,
                action="update",
                object_type="unit",
                object_id=unit.id,
                client=client,
                reason=f"status={unit.status} (incident {incident_id} {status.value})",
                clock=clock,
            )
    if priority is not None:
        if priority not in PRIORITIES:
            raise InvalidInputError(
                "invalid priority", [Problem("must be 1 (most urgent) to 4", field="priority")]
            )
        _log(session, row, principal.username, "priority", at=now, note=f"priority {priority}")
        row.priority = priority
    if note and status is None:
        _log(session, row, principal.username, "note", at=now, note=note)
    session.flush()
    return _to_incident(session, row)


def _travel(scenario: Scenario, incident: IncidentRow, unit: UnitRow) -> tuple[float, str] | None:
    """Distance in metres from ``unit`` to ``incident`` and how it was measured."""
    if (
        incident.venue_id is not None
        and unit.venue_id == incident.venue_id
        and unit.node_id is not None
        and incident.gate_id is not None
    ):
        walk = walking_distance_m(scenario, incident.venue_id, unit.node_id, incident.gate_id)
        if walk is not None:
            return walk, "walking_network"
    target = _position(scenario, incident.venue_id, incident.lat, incident.lon)
    origin = _position(scenario, unit.venue_id, unit.lat, unit.lon)
    if target is None or origin is None:
        return None
    return haversine_m(*origin, *target), "straight_line"


def _position(
    scenario: Scenario, venue_id: str | None, lat: float | None, lon: float | None
) -> tuple[float, float] | None:
    if lat is not None and lon is not None:
        return lat, lon
    if venue_id is not None:
        venue = scenario.venue(venue_id)
        return venue.lat, venue.lon
    return None


def _rank(
    scenario: Scenario, incident: IncidentRow, candidates: list[UnitRow]
) -> list[tuple[float, float, str, UnitRow]]:
    """The candidates with the needed capability and a known position, first to arrive first."""
    need = incident.required_capability
    ranked = []
    for unit in candidates:
        if need is not None and need not in unit.capabilities:
            continue
        measured = _travel(scenario, incident, unit)
        if measured is None:
            continue
        distance, method = measured
        ranked.append((distance / speed_of(unit.kind), distance, method, unit))
    return sorted(ranked, key=lambda r: (r[0], r[3].id))


def _claim_incident(session: Session, row: IncidentRow, at: datetime) -> None:
    """Take the incident for this dispatch, or refuse if another dispatch took it first."""
    claimed = session.execute(
        update(IncidentRow)
        .where(
            IncidentRow.id == row.id,
            IncidentRow.status.in_([s.value for s in DISPATCHABLE]),
        )
        .values(updated_at=at)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(claimed, CursorResult)
    if claimed.rowcount != 1:
        raise ConflictError(f"incident {row.id} was dispatched by someone else meanwhile")
    session.refresh(row)


def _claim_first(
    session: Session, ranked: list[tuple[float, float, str, UnitRow]], *, at: datetime
) -> tuple[float, float, str, UnitRow] | None:
    """Claim the first ranked unit still available; None if simultaneous dispatches took all."""
    for seconds, distance, method, candidate in ranked:
        chosen = claim(session, candidate.id, at=at)
        if chosen is not None:
            return seconds, distance, method, chosen
    return None


def dispatch(
    session: Session,
    scenario: Scenario,
    incident_id: int,
    principal: Principal,
    *,
    unit_id: str | None = None,
    client: str,
    at: datetime | None = None,
    window: ScanWindow = DEFAULT_WINDOW,
    clock: Clock = utc_now,
) -> Dispatch:
    """Send ``unit_id``, or the available unit with the needed capability that arrives first.

    The unit is claimed atomically; when a simultaneous dispatch took it, the next suitable unit
    is tried, and when none is left the dispatch is refused (409) saying so.
    """
    row = _row(session, incident_id)
    now = event_time(
        at, field="at", scenario=scenario, window=window, clock=clock, not_before=row.created_at
    )
    current = IncidentStatus(row.status)
    if current not in DISPATCHABLE:
        raise ConflictError(f"incident {incident_id} is {current.value}: it cannot be dispatched")
    if unit_id is not None:
        candidates = [get_row(session, unit_id)]
        if candidates[0].status != UnitStatus.AVAILABLE.value:
            raise ConflictError(f"unit '{unit_id}' is {candidates[0].status}, not available")
    else:
        candidates = list(
            session.scalars(select(UnitRow).where(UnitRow.status == UnitStatus.AVAILABLE.value))
        )
    need = row.required_capability
    wanted = f" with capability '{need}'" if need else ""
    ranked = _rank(scenario, row, candidates)
    if not ranked:
        raise ConflictError(f"no available unit{wanted} with a known position")
    _claim_incident(session, row, max(row.updated_at, now.at))
    current = IncidentStatus(row.status)  # as it is now that this dispatch holds the incident
    claimed = _claim_first(session, ranked, at=now.received_at)
    if claimed is None:
        taken = f"unit '{unit_id}'" if unit_id is not None else f"every available unit{wanted}"
        raise ConflictError(f"{taken} was dispatched to another incident meanwhile")
    seconds, distance, method, chosen = claimed
    if current is IncidentStatus.REPORTED:
        _log(
            session,
            row,
            principal.username,
            "status",
            at=now,
            to_status=IncidentStatus.ACKNOWLEDGED,
        )
    row.unit_id = chosen.id
    eta = f"{distance:,.0f} m, about {math.ceil(seconds / 60)} min ({method.replace('_', ' ')})"
    _log(
        session,
        row,
        principal.username,
        "dispatch",
        at=now,
        to_status=IncidentStatus.DISPATCHED,
        note=f"unit {chosen.id}: {eta}",
    )
    audit.record(
        session,
        principal,
        action="dispatch",
        object_type="unit",
        object_id=chosen.id,
        client=client,
        reason=f"status=dispatched (incident {incident_id})",
        clock=clock,
    )
    session.flush()
    return Dispatch(
        incident=_to_incident(session, row),
        unit=to_unit(chosen),
        distance_m=distance,
        travel_time_s=seconds,
        method=method,
    )
