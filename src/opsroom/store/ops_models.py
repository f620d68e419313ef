"""Tables of the live operations room: identity, audit, scans, units, incidents, intelligence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opsroom.store.models import ID, Base
from opsroom.store.types import UTCDateTime


class AccessAgencyRow(Base):
    """A security service whose users sign in (``QA-MOI``, ``MA-DGSN``...)."""

    __tablename__ = "access_agencies"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    agency_id: Mapped[str] = mapped_column(ID, ForeignKey("access_agencies.id"))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venues: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    """The venues a gate account may post scans for (empty: none); unused for other roles."""


class AccessTokenRow(Base):
    """A bearer token, kept only as its SHA-256 digest."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntryRow(Base):
    """One read or change of something sensitive. The table refuses UPDATE and DELETE.

    Rows form a hash chain (``seq`` 1, 2, ... with ``prev_hash`` and ``hash``): see
    :mod:`opsroom.ops.audit`.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    username: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[str] = mapped_column(ID)
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(128))
    client: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain's newest link: one row (``id`` 1), locked by every writer of the audit log."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class GateScanRow(Base):
    __tablename__ = "gate_scans"
    __table_args__ = (Index("ix_gate_scans_venue_time", "scenario_id", "venue_id", "scanned_at"),)

    scan_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(ID)
    venue_id: Mapped[str] = mapped_column(ID)
    gate_id: Mapped[str] = mapped_column(ID)
    credential_id: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GateCounterRow(Base):
    """Running totals of scans per gate, kept in the same transaction as the scans."""

    __tablename__ = "gate_counters"

    scenario_id: Mapped[str] = mapped_column(ID, primary_key=True)
    venue_id: Mapped[str] = mapped_column(ID, primary_key=True)
    gate_id: Mapped[str] = mapped_column(ID, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    exits: Mapped[int] = mapped_column(Integer, default=0)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UnitRow(Base):
    __tablename__ = "units"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    venue_id: Mapped[str | None] = mapped_column(ID)
    node_id: Mapped[str | None] = mapped_column(ID)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IncidentRow(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[str] = mapped_column(ID)
    type: Mapped[str] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    venue_id: Mapped[str | None] = mapped_column(ID)
    gate_id: Mapped[str | None] = mapped_column(ID)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    required_capability: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    unit_id: Mapped[str | None] = mapped_column(ID)
    reported_by: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the incident was reported: the client's ``reported_at``, else ``received_at``."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """The server's clock when the report arrived (null only for rows older than 0006)."""


class IncidentEventRow(Base):
    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the change happened: the client's ``at``, else ``received_at``."""
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    author: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


class WatchlistEntryRow(Base):
    """An entry, keyed by its owner agency and the id that agency gave it."""

    __tablename__ = "watchlist_entries"

    owner_agency: Mapped[str] = mapped_column(ID, primary_key=True)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    aliases: Mapped[list[str]] = mapped_column(JSON)
    birth_date: Mapped[str | None] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(2))
    doc_number: Mapped[str | None] = mapped_column(String(64))
    shared_with: Mapped[list[str]] = mapped_column(JSON)
    tlp: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScreeningAlertRow(Base):
    """A hit of one screened person on one entry.

    ``public_id`` is the alert's only id outside the database (random, so ids reveal nothing
    about other agencies' alerts); the person's details belong to ``screening_agency``.
    """

    __tablename__ = "screening_alerts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["entry_owner", "entry_id"],
            ["watchlist_entries.owner_agency", "watchlist_entries.id"],
        ),
        Index("ix_screening_alerts_entry", "entry_owner", "entry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    screening_agency: Mapped[str] = mapped_column(ID)
    person_id: Mapped[str] = mapped_column(String(128))
    person_name: Mapped[str] = mapped_column(Text)
    person: Mapped[dict[str, Any]] = mapped_column(JSON)
    entry_owner: Mapped[str] = mapped_column(ID)
    entry_id: Mapped[str] = mapped_column(String(128))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    """When the person was screened: the run's ``screened_at``, else ``received_at``."""
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)


class AlertCommentRow(Base):
    """A note on an alert by anyone who may see it; the decision stays with the entry's owner."""

    __tablename__ = "screening_alert_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(Integer, ForeignKey("screening_alerts.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[str] = mapped_column(ID)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GateFlowMinuteRow(Base):
    """Scans per gate and minute (scan time, UTC): inflow charts and the nowcast's observations."""

    __tablename__ = "gate_flow_minutes"

    scenario_id: Mapped[str] = mapped_column(ID, primary_key=True)
    venue_id: Mapped[str] = mapped_column(ID, primary_key=True)
    gate_id: Mapped[str] = mapped_column(ID, primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    exits: Mapped[int] = mapped_column(Integer, default=0)


class SignInFailureRow(Base):
    """Recent failed sign-ins of one account (``account:NAME``) or client address
    (``address:IP``): how many, the last one, and until when the next attempt must wait."""

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
