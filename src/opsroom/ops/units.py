"""Units in the field: patrols, response teams, medical teams, with status and position.

A unit belongs to an agency: the caller's own, fixed when it is created. Only that agency's users
create, move or change it; in the joint room, dispatch may still send any agency's unit (see
:mod:`opsroom.ops.incidents`). Every creation and change is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from opsroom.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from opsroom.ops import audit
from opsroom.ops.geo import outside_area
from opsroom.ops.identity import Clock, Principal, utc_now
from opsroom.scenario import Scenario
from opsroom.store.ops_models import UnitRow


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    OFF_DUTY = "off_duty"


@dataclass(frozen=True, kw_only=True)
class Unit:
    id: str
    agency_id: str
    name: str
    kind: str
    capabilities: tuple[str, ...]
    status: UnitStatus
    venue_id: str | None
    node_id: str | None
    lat: float | None
    lon: float | None
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "agency_id": self.agency_id,
            "name": self.name,
            "kind": self.kind,
            "capabilities": list(self.capabilities),
            "status": self.status.value,
            "venue_id": self.venue_id,
            "node_id": self.node_id,
            "lat": self.lat,
            "lon": self.lon,
            "updated_at": self.updated_at.isoformat(),
        }


def to_unit(row: UnitRow) -> Unit:
    return Unit(
        id=row.id,
        agency_id=row.agency_id,
        name=row.name,
        kind=row.kind,
        capabilities=tuple(row.capabilities),
        status=UnitStatus(row.status),
        venue_id=row.venue_id,
        node_id=row.node_id,
        lat=row.lat,
        lon=row.lon,
        updated_at=row.updated_at,
    )


def _check_place(
    scenario: Scenario,
    venue_id: str | None,
    node_id: str | None,
    lat: float | None = None,
    lon: float | None = None,
) -> None:
    problems = []
    if venue_id is not None:
        if venue_id not in {v.id for v in scenario.venues}:
            problems.append(Problem(f"unknown venue '{venue_id}'", field="venue_id"))
        elif node_id is not None:
            nodes = {g.id for g in scenario.gates_of(venue_id)} | {
                t.id for t in scenario.transport_of(venue_id)
            }
            if node_id not in nodes:
                problems.append(
                    Problem(f"venue '{venue_id}' has no gate or stop '{node_id}'", field="node_id")
                )
    elif node_id is not None:
        problems.append(Problem("a node needs its venue_id", field="node_id"))
    problems.extend(outside_area(scenario, lat, lon))
    if problems:
        raise InvalidInputError("invalid unit position", problems)


def create_unit(
    session: Session,
    scenario: Scenario,
    principal: Principal,
    *,
    unit_id: str,
    agency_id: str | None = None,
    name: str,
    kind: str,
    capabilities: tuple[str, ...],
    venue_id: str | None = None,
    node_id: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    client: str,
    clock: Clock = utc_now,
) -> Unit:
    """Add a unit of the caller's agency (``agency_id``, if given, must be that agency)."""
    if agency_id is not None and agency_id != principal.agency_id:
        raise PermissionDeniedError(
            f"agency_id: '{principal.agency_id}' users create units of '{principal.agency_id}',"
            f" not of '{agency_id}'"
        )
    _check_place(scenario, venue_id, node_id, lat, lon)
    if session.get(UnitRow, unit_id) is not None:
        raise ConflictError(f"unit '{unit_id}' already exists")
    row = UnitRow(
        id=unit_id,
        agency_id=principal.agency_id,
        name=name,
        kind=kind,
        capabilities=list(capabilities),
        status=UnitStatus.AVAILABLE.value,
        venue_id=venue_id,
        node_id=node_id,
        lat=lat,
        lon=lon,
        updated_at=clock(),
    )
    session.add(row)
    audit.record(
        session,
        principal,
        action="create",
        object_type="unit",
        object_id=unit_id,
        client=client,
        reason=_describe({"status": row.status, "venue_id": venue_id, "node_id": node_id}),
        clock=clock,
    )
    session.flush()
    return to_unit(row)


def get_row(session: Session, unit_id: str) -> UnitRow:
    row = session.get(UnitRow, unit_id)
    if row is None:
        raise NotFoundError(f"no unit '{unit_id}'")
    return row


def update_unit(
    session: Session,
    scenario: Scenario,
    unit_id: str,
    principal: Principal,
    *,
    changes: dict[str, Any],
    client: str,
    clock: Clock = utc_now,
) -> Unit:
    """Apply status or position changes (keys: status, venue_id, node_id, lat, lon).

    Only users of the unit's own agency may change it.
    """
    row = get_row(session, unit_id)
    if row.agency_id != principal.agency_id:
        raise PermissionDeniedError(
            f"unit '{unit_id}' belongs to '{row.agency_id}': only its own agency may change it"
        )
    venue_id = changes.get("venue_id", row.venue_id)
    node_id = changes.get("node_id", row.node_id)
    _check_place(scenario, venue_id, node_id, changes.get("lat"), changes.get("lon"))
    if "status" in changes:
        row.status = UnitStatus(changes["status"]).value
    for key in ("venue_id", "node_id", "lat", "lon"):
        if key in changes:
            setattr(row, key, changes[key])
    row.updated_at = clock()
    audit.record(
        session,
        principal,
        action="update",
        object_type="unit",
        object_id=unit_id,
        client=client,
        reason=_describe(changes),
        clock=clock,
    )
    session.flush()
    return to_unit(row)


def claim(session: Session, unit_id: str, *, at: datetime) -> UnitRow | None:
    """Mark the unit dispatched if it is still available, atomically; None if it is not.

    One conditional UPDATE with a checked row count: of two transactions claiming the same unit,
    the second waits for the first (a row lock on PostgreSQL, the write lock on SQLite) and then
    finds the unit no longer available, so a unit is never sent to two incidents at once.
    """
    claimed = session.execute(
        update(UnitRow)
        .where(UnitRow.id == unit_id, UnitRow.status == UnitStatus.AVAILABLE.value)
        .values(status=UnitStatus.DISPATCHED.value, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(claimed, CursorResult)
    if claimed.rowcount != 1:
        return None
    row = get_row(session, unit_id)
    session.refresh(row)
    return row


def _describe(changes: dict[str, Any]) -> str:
    """The changes as ``key=value`` pairs for the audit log's reason."""
    return ", ".join(f"{key}={value}" for key, value in sorted(changes.items()))


def list_units(session: Session) -> list[Unit]:
    return [to_unit(r) for r in session.scalars(select(UnitRow).order_by(UnitRow.id))]
