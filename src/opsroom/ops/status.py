"""Venue status: occupancy, recent inflow and the crowd engine's nowcast, from the gate scans.

The *data clock* of a venue is its latest scan time (or, before its first scan, the latest scan
anywhere in the tournament): status is computed "as of" it unless the caller names a time, so a
replayed or delayed feed gives the picture at the time of its data.
The nowcast runs for the match whose ingress window (4 h before to 1 h after kick-off, the crowd
engine's horizon) holds that time; its observations are the per-minute turnstile counts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from opsroom.crowd import Demand, VenueNetwork, build_venue_network
from opsroom.crowd.forecast import AFTER_KICKOFF_MIN, BEFORE_KICKOFF_MIN
from opsroom.crowd.nowcast import GateCount as CheckpointCount
from opsroom.crowd.nowcast import Nowcast, nowcast
from opsroom.ops.identity import Clock, utc_now
from opsroom.ops.scans import flow_minutes, gate_counts, latest_scan_at
from opsroom.scenario import Match, Scenario

INFLOW_WINDOW_MIN = 15
ALERT_LEVELS = ("none", "watch", "warning", "critical")


@dataclass(frozen=True, kw_only=True)
class GateStatus:
    gate_id: str
    occupancy: int
    inflow_last_15_min: int


@dataclass(frozen=True, kw_only=True)
class VenueStatus:
    venue_id: str
    as_of: datetime
    capacity: int
    occupancy: int
    gates: tuple[GateStatus, ...]
    inflow_per_minute: tuple[tuple[datetime, int], ...]
    match_id: str | None
    nowcast: Nowcast | None
    alert_level: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "venue_id": self.venue_id,
            "as_of": self.as_of.isoformat(),
            "capacity": self.capacity,
            "occupancy": self.occupancy,
            "gates": [
                {
                    "gate_id": g.gate_id,
                    "occupancy": g.occupancy,
                    "inflow_last_15_min": g.inflow_last_15_min,
                }
                for g in self.gates
            ],
            "inflow_per_minute": [
                {"minute": minute.isoformat(), "count": count}
                for minute, count in self.inflow_per_minute
            ],
            "match_id": self.match_id,
            "nowcast": self.nowcast.to_dict() if self.nowcast is not None else None,
            "alert_level": self.alert_level,
        }


def active_match(scenario: Scenario, venue_id: str, at: datetime) -> Match | None:
    """The match whose ingress window at this venue holds ``at`` (the nearest kick-off if two)."""
    candidates = [
        m
        for m in scenario.matches_at(venue_id)
        if m.kickoff - timedelta(minutes=BEFORE_KICKOFF_MIN)
        <= at
        <= m.kickoff + timedelta(minutes=AFTER_KICKOFF_MIN)
    ]
    return min(candidates, key=lambda m: abs(m.kickoff - at), default=None)


def alert_level(current: Nowcast | None) -> str:
    if current is None or not current.alerts:
        return "none"
    severities = {a.severity for a in current.alerts}
    if "critical" in severities:
        return "critical"
    if "warning" in severities:
        return "warning"
    return "watch"


class VenueMonitor:
    """Computes venue status; holds each venue's network, built once from the scenario."""

    def __init__(self, scenario: Scenario, *, clock: Clock = utc_now) -> None:
        self.scenario = scenario
        self._clock = clock
        self._networks: dict[str, VenueNetwork] = {}
        self._lock = threading.Lock()

    def network(self, venue_id: str) -> VenueNetwork:
        with self._lock:
            if venue_id not in self._networks:
                self._networks[venue_id] = build_venue_network(self.scenario, venue_id)
            return self._networks[venue_id]

    def status(
        self,
        session: Session,
        venue_id: str,
        *,
        as_of: datetime | None = None,
        with_nowcast: bool = True,
    ) -> VenueStatus:
        venue = self.scenario.venue(venue_id)
        scenario_id = self.scenario.info.id
        counts = gate_counts(session, scenario_id, venue_id)
        if as_of is None:
            latest = [c.last_scan_at for c in counts if c.last_scan_at is not None]
            as_of = max(latest) if latest else latest_scan_at(session, scenario_id) or self._clock()
        minute_now = as_of.replace(second=0, microsecond=0)
        since = minute_now - timedelta(minutes=INFLOW_WINDOW_MIN - 1)
        match = active_match(self.scenario, venue_id, as_of)
        window_start = (
            match.kickoff - timedelta(minutes=BEFORE_KICKOFF_MIN) if match is not None else since
        )
        minutes = flow_minutes(
            session, scenario_id, venue_id, since=min(window_start, since), until=minute_now
        )
        per_minute = {since + timedelta(minutes=i): 0 for i in range(INFLOW_WINDOW_MIN)}
        per_gate_recent: dict[str, int] = {}
        observed: list[CheckpointCount] = []
        for row in minutes:
            if row.minute >= since:
                per_minute[row.minute] = per_minute.get(row.minute, 0) + row.entries
                per_gate_recent[row.gate_id] = per_gate_recent.get(row.gate_id, 0) + row.entries
            end = row.minute + timedelta(minutes=1)
            if match is not None and row.entries > 0 and end <= as_of:
                observed.append(
                    CheckpointCount(
                        checkpoint_id=f"{row.gate_id}-turnstiles",
                        start=row.minute,
                        end=end,
                        count=float(row.entries),
                    )
                )
        by_gate = {c.gate_id: c for c in counts}
        gates = tuple(
            GateStatus(
                gate_id=gate.id,
                occupancy=by_gate[gate.id].occupancy if gate.id in by_gate else 0,
                inflow_last_15_min=per_gate_recent.get(gate.id, 0),
            )
            for gate in self.scenario.gates_of(venue_id)
        )
        current = None
        if match is not None and with_nowcast:
            demand = Demand(attendance=match.attendance or venue.capacity, kickoff=match.kickoff)
            current = nowcast(self.network(venue_id), demand, observed, as_of=as_of)
        return VenueStatus(
            venue_id=venue_id,
            as_of=as_of.astimezone(ZoneInfo(venue.timezone)),
            capacity=venue.capacity,
            occupancy=sum(g.occupancy for g in gates),
            gates=gates,
            inflow_per_minute=tuple(sorted(per_minute.items())),
            match_id=match.id if match is not None else None,
            nowcast=current,
            alert_level=alert_level(current),
        )
