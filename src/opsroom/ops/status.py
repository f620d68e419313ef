"""Venue status: occupancy, recent inflow and the crowd engine's nowcast, from the gate scans.

The *data clock* of a venue is its latest scan time (or, before its first scan, the latest scan
anywhere in the tournament): status is computed "as of" it unless the caller names a time, so a
replayed or delayed feed gives the picture at the time of its data.
Occupancy is entries minus exits over the venue's gates, never below zero: "out" scans with no
matching entries (a gate that counts only exits, or forged scans) do not make a venue hold fewer
than nobody. A gate's own figure is its net flow and may be negative, as fans leave by other gates
than those they came in by.
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
from opsroom.crowd.planner import plan_venue
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
    last_scan_at: datetime | None
    match_id: str | None
    nowcast: Nowcast | None
    mitigations: dict[str, Mitigation]
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
            "last_scan_at": self.last_scan_at.isoformat() if self.last_scan_at else None,
            "match_id": self.match_id,
            "nowcast": self._nowcast_dict(),
            "alert_level": self.alert_level,
        }

    def _nowcast_dict(self) -> dict[str, Any] | None:
        if self.nowcast is None:
            return None
        data = self.nowcast.to_dict()
        for alert in data["alerts"]:
            checkpoint = str(alert["station_id"]).split("/", 1)[-1]
            mitigation = self.mitigations.get(checkpoint)
            alert["mitigation"] = mitigation.to_dict() if mitigation is not None else None
        return data


@dataclass(frozen=True, kw_only=True)
class Mitigation:
    """What the crowd planner suggests for an alerting checkpoint, at its observed pace."""

    checkpoint_id: str
    servers_now: int
    servers_needed: int
    staff_needed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "checkpoint_id": self.checkpoint_id,
            "servers_now": self.servers_now,
            "servers_needed": self.servers_needed,
            "staff_needed": self.staff_needed,
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
        self._plans: dict[tuple[str, str, tuple[tuple[str, int], ...]], dict[str, Mitigation]] = {}
        self._lock = threading.Lock()

    def network(self, venue_id: str) -> VenueNetwork:
        with self._lock:
            if venue_id not in self._networks:
                self._networks[venue_id] = build_venue_network(self.scenario, venue_id)
            return self._networks[venue_id]

    def mitigations(
        self, venue_id: str, match_id: str, demand: Demand, current: Nowcast
    ) -> dict[str, Mitigation]:
        """Lanes or turnstiles each alerting checkpoint needs to keep the wait target.

        The nowcast's fitted capacity of each checkpoint, divided by the planned rate of one
        server, gives the servers effectively working; the planner then sizes the venue from
        there. Plans are cached per venue, match and effective servers, so a repeated status
        call costs nothing more.
        """
        alerting = {alert.station_id.split("/", 1)[-1] for alert in current.alerts}
        if not alerting:
            return {}
        network = self.network(venue_id)
        rates = {c.id: c.rate_per_server_per_h.value for c in network.checkpoints}
        effective = {
            c.checkpoint_id: max(1, round(c.capacity_per_h / rates[c.checkpoint_id]))
            for c in current.checkpoints
            if rates.get(c.checkpoint_id)
        }
        key = (venue_id, match_id, tuple(sorted(effective.items())))
        with self._lock:
            cached = self._plans.get(key)
        if cached is None:
            plan = plan_venue(network.with_servers(effective), demand)
            cached = {
                p.checkpoint_id: Mitigation(
                    checkpoint_id=p.checkpoint_id,
                    servers_now=p.servers_now,
                    servers_needed=max(p.servers_needed, p.servers_now),
                    staff_needed=p.staff_needed,
                )
                for p in plan.checkpoints
            }
            with self._lock:
                self._plans[key] = cached
        return {cid: m for cid, m in cached.items() if cid in alerting}

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
        scanned = [c.last_scan_at for c in counts if c.last_scan_at is not None]
        last_scan_at = max(scanned) if scanned else None
        if as_of is None:
            as_of = last_scan_at or latest_scan_at(session, scenario_id) or self._clock()
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
        mitigations: dict[str, Mitigation] = {}
        if match is not None and with_nowcast:
            demand = Demand(attendance=match.attendance or venue.capacity, kickoff=match.kickoff)
            current = nowcast(self.network(venue_id), demand, observed, as_of=as_of)
            mitigations = self.mitigations(venue_id, match.id, demand, current)
        return VenueStatus(
            venue_id=venue_id,
            as_of=as_of.astimezone(ZoneInfo(venue.timezone)),
            capacity=venue.capacity,
            occupancy=max(0, sum(g.occupancy for g in gates)),
            gates=gates,
            inflow_per_minute=tuple(sorted(per_minute.items())),
            last_scan_at=last_scan_at,
            match_id=match.id if match is not None else None,
            nowcast=current,
            mitigations=mitigations,
            alert_level=alert_level(current),
        )
