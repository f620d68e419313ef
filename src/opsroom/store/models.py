"""The tables of the system of record (typed SQLAlchemy 2 declarative models).

Tournament tables carry their scenario's id in their primary key, so several tournaments can share
one database. Times are stored in UTC (:class:`opsroom.store.types.UTCDateTime`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from opsroom.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


ID = String(64)


class ScenarioRow(Base):
    __tablename__ = "scenarios"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _scenario_fk() -> Mapped[str]:
    return mapped_column(ID, ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)


class AgencyRow(Base):
    __tablename__ = "agencies"

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(16))


class TeamRow(Base):
    __tablename__ = "teams"

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    group: Mapped[str | None] = mapped_column("group_name", String(32))


class VenueRow(Base):
    __tablename__ = "venues"

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    capacity_source: Mapped[str] = mapped_column(Text)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    timezone: Mapped[str] = mapped_column(String(64))


def _venue_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["scenario_id", "venue_id"],
        ["venues.scenario_id", "venues.id"],
        name=f"fk_{table}_venue",
        ondelete="CASCADE",
    )


class GateRow(Base):
    __tablename__ = "gates"
    __table_args__ = (_venue_fk("gates"),)

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    venue_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200))
    screening_lanes: Mapped[int] = mapped_column(Integer)
    turnstiles: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class SectorRow(Base):
    __tablename__ = "sectors"
    __table_args__ = (
        _venue_fk("sectors"),
        ForeignKeyConstraint(
            ["scenario_id", "gate_id"],
            ["gates.scenario_id", "gates.id"],
            name="fk_sectors_gate",
            ondelete="CASCADE",
        ),
    )

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    venue_id: Mapped[str] = mapped_column(ID)
    gate_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)


class TransportNodeRow(Base):
    __tablename__ = "transport_nodes"
    __table_args__ = (_venue_fk("transport_nodes"),)

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    venue_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    arrival_share: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)


class WalkingLinkRow(Base):
    __tablename__ = "walking_links"
    __table_args__ = (
        ForeignKeyConstraint(
            ["scenario_id", "origin_id"],
            ["transport_nodes.scenario_id", "transport_nodes.id"],
            name="fk_walking_links_origin",
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["scenario_id", "gate_id"],
            ["gates.scenario_id", "gates.id"],
            name="fk_walking_links_gate",
            ondelete="CASCADE",
        ),
    )

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    origin_id: Mapped[str] = mapped_column(ID)
    gate_id: Mapped[str] = mapped_column(ID)
    length_m: Mapped[float] = mapped_column(Float)
    width_m: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)


class MatchRow(Base):
    __tablename__ = "matches"
    __table_args__ = (_venue_fk("matches"),)

    scenario_id: Mapped[str] = _scenario_fk()
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kickoff: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    venue_id: Mapped[str] = mapped_column(ID)
    stage: Mapped[str] = mapped_column(String(32))
    group: Mapped[str | None] = mapped_column("group_name", String(32))
    home: Mapped[str | None] = mapped_column(ID)
    away: Mapped[str | None] = mapped_column(ID)
    attendance: Mapped[int | None] = mapped_column(Integer)
    attendance_source: Mapped[str | None] = mapped_column(Text)
