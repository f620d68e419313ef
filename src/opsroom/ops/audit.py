"""The audit log: who read or changed what, when, from where and why. Append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsroom.ops.identity import Clock, Principal, utc_now
from opsroom.store.ops_models import AuditEntryRow


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    id: int
    at: datetime
    username: str
    agency_id: str
    role: str
    action: str
    object_type: str
    object_id: str
    client: str
    reason: str


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    object_type: str,
    object_id: str,
    client: str,
    reason: str = "",
    clock: Clock = utc_now,
) -> None:
    """Write one entry in the caller's transaction: a read and its record stand or fall together."""
    record_event(
        session,
        username=principal.username,
        agency_id=principal.agency_id,
        role=principal.role.value,
        action=action,
        object_type=object_type,
        object_id=object_id,
        client=client,
        reason=reason,
        clock=clock,
    )


def record_event(
    session: Session,
    *,
    username: str,
    agency_id: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    client: str,
    reason: str = "",
    clock: Clock = utc_now,
) -> None:
    """Write one entry for something done without a signed-in user (a failed sign-in)."""
    session.add(
        AuditEntryRow(
            at=clock(),
            username=username[:64],
            agency_id=agency_id,
            role=role,
            action=action,
            object_type=object_type,
            object_id=object_id[:128],
            client=client[:128],
            reason=reason,
        )
    )


def list_entries(
    session: Session, *, limit: int = 200, object_type: str | None = None
) -> list[AuditEntry]:
    query = select(AuditEntryRow).order_by(AuditEntryRow.id.desc()).limit(limit)
    if object_type is not None:
        query = query.where(AuditEntryRow.object_type == object_type)
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            username=row.username,
            agency_id=row.agency_id,
            role=row.role,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            client=row.client,
            reason=row.reason,
        )
        for row in session.scalars(query)
    ]
