"""Planner: the fewest lanes and turnstiles (and their staff) that keep waits and space safe.

Rule: every checkpoint's longest wait stays at or under the target (default 15 min) and, where its
queue area is known, its queue keeps at least 0.6 m² per person (Fruin LOS C or better). In a
fluid queue the wait never falls when capacity falls, so the fewest servers is found by bisection.
Checkpoints are sized level by level from the origins inwards (a checkpoint's arrivals depend on
the ones before it and not on the ones after), all checkpoints of a level at once.

Turnstile banks also keep the Green Guide's entry capacity: all spectators of the sectors they
serve through them within one hour at 660 persons/h per turnstile, whatever the forecast says.

Egress is checked against the Green Guide's 8 minutes out of the stands. Bottlenecks are ranked
by their longest wait (ingress) and their excess over 8 minutes (egress), each with its reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from opsroom.crowd import figures
from opsroom.crowd.demand import Demand
from opsroom.crowd.forecast import Forecast, forecast_match
from opsroom.crowd.network import VenueNetwork
from opsroom.crowd.topology import routes

MAX_SERVERS = 400
"""Upper bound of the search per checkpoint."""


@dataclass(frozen=True, kw_only=True)
class CheckpointPlan:
    checkpoint_id: str
    name: str
    kind: str
    servers_now: int
    servers_needed: int
    staff_needed: int
    max_wait_min_now: float
    max_wait_min_planned: float
    feasible: bool
    rule: str


@dataclass(frozen=True, kw_only=True)
class Bottleneck:
    station_id: str
    label: str
    phase: str
    severity_min: float
    reason: str


@dataclass(frozen=True, kw_only=True)
class Plan:
    venue_id: str
    target_wait_min: float
    checkpoints: tuple[CheckpointPlan, ...]
    bottlenecks: tuple[Bottleneck, ...]
    egress_ok: bool
    planned: VenueNetwork

    @property
    def staff_needed(self) -> int:
        return sum(c.staff_needed for c in self.checkpoints)


def _ok(forecast: Forecast, station_ids: list[str], target: float) -> dict[str, bool]:
    peaks = {p.station_id: p for p in forecast.peaks}
    result = {}
    for sid in station_ids:
        peak = peaks.get(sid)
        if peak is None:
            result[sid] = True
            continue
        space_ok = (
            peak.min_space_m2_per_person is None
            or peak.min_space_m2_per_person >= figures.PLANNING_SPACE_M2_PER_PERSON
            or peak.max_queue < 1.0
        )
        result[sid] = peak.max_wait_min <= target + 1e-9 and space_ok
    return result


def plan_venue(
    network: VenueNetwork,
    demand: Demand,
    *,
    target_wait_min: float = figures.DEFAULT_MAX_WAIT_MINUTES,
    step_s: float = 10.0,
) -> Plan:
    """Size every checkpoint of one venue for one match's demand."""
    venue = network.venue.id
    now = forecast_match(network, demand, step_s=step_s)
    graph = now.run.graph
    level_of = {sid: int(graph.level[i]) for i, sid in enumerate(graph.ids)}
    in_use = [c for c in network.checkpoints if f"{venue}/{c.id}" in level_of]
    servers = {c.id: c.servers for c in network.checkpoints}
    entry_minimum = green_guide_minimum(network)
    for level in sorted({level_of[f"{venue}/{c.id}"] for c in in_use}):
        group = [c for c in in_use if level_of[f"{venue}/{c.id}"] == level]
        low = {c.id: 0 for c in group}
        high = {c.id: MAX_SERVERS for c in group}
        while any(high[c.id] - low[c.id] > 1 for c in group):
            trial = dict(servers)
            for c in group:
                trial[c.id] = (
                    (low[c.id] + high[c.id]) // 2 if high[c.id] - low[c.id] > 1 else high[c.id]
                )
            forecast = forecast_match(
                network.with_servers(trial), demand, step_s=step_s, with_egress=False
            )
            ok = _ok(forecast, [f"{venue}/{c.id}" for c in group], target_wait_min)
            for c in group:
                if high[c.id] - low[c.id] > 1:
                    if ok[f"{venue}/{c.id}"]:
                        high[c.id] = trial[c.id]
                    else:
                        low[c.id] = trial[c.id]
        for c in group:
            servers[c.id] = max(high[c.id], entry_minimum.get(c.id, 0))
    planned_network = network.with_servers(servers)
    planned = forecast_match(planned_network, demand, step_s=step_s)
    waits_now = {p.station_id: p.max_wait_min for p in now.peaks}
    waits_planned = {p.station_id: p.max_wait_min for p in planned.peaks}
    ok_planned = _ok(planned, [f"{venue}/{c.id}" for c in in_use], target_wait_min)
    plans = []
    for c in in_use:
        sid = f"{venue}/{c.id}"
        per = c.staff_per_server.value if c.staff_per_server else 0.0
        plans.append(
            CheckpointPlan(
                checkpoint_id=c.id,
                name=c.name,
                kind=c.kind.value,
                servers_now=c.servers,
                servers_needed=servers[c.id],
                staff_needed=math.ceil(servers[c.id] * per - 1e-9),
                max_wait_min_now=waits_now.get(sid, 0.0),
                max_wait_min_planned=waits_planned.get(sid, 0.0),
                feasible=ok_planned[sid],
                rule="Green Guide 1-hour entry at 660/h"
                if entry_minimum.get(c.id, 0) >= servers[c.id] and c.id in entry_minimum
                else f"longest wait <= {target_wait_min:g} min and >= 0.6 m²/person",
            )
        )
    egress = now.egress
    egress_ok = egress is not None and all(s.meets_8_minutes for s in egress.sectors)
    return Plan(
        venue_id=venue,
        target_wait_min=target_wait_min,
        checkpoints=tuple(plans),
        bottlenecks=bottlenecks(now, network),
        egress_ok=egress_ok,
        planned=planned_network,
    )


def green_guide_minimum(network: VenueNetwork) -> dict[str, int]:
    """Turnstiles each turnstile bank needs so its sectors enter within 1 h at 660/h.

    A bank's sectors are those whose routes reach them through it last.
    """
    served: dict[str, set[str]] = {}
    turnstiles = {c.id for c in network.checkpoints if c.kind.value == "turnstile"}
    for route in routes(network):
        banks = [node for node in route.nodes if node in turnstiles]
        if banks:
            served.setdefault(banks[-1], set()).add(route.sector_id)
    seats = {s.id: s.capacity for s in network.sectors}
    hours = figures.ENTRY_LIMIT_MINUTES / 60.0
    return {
        bank: math.ceil(
            sum(seats[s] for s in sectors) / (figures.TURNSTILE_PER_HOUR * hours) - 1e-9
        )
        for bank, sectors in served.items()
    }


def bottlenecks(forecast: Forecast, network: VenueNetwork) -> tuple[Bottleneck, ...]:
    """Stations where people wait, and sectors slower than 8 minutes out, worst first."""
    found = []
    run = forecast.run
    for peak in forecast.peaks:
        if peak.max_wait_min < 1.0:
            continue
        row = run.graph.index(peak.station_id)
        peak_rate = float(np.max(np.diff(run.arrivals[row])) / run.step_s * 3600.0)
        reason = (
            f"capacity {peak.capacity_per_h:,.0f}/h below peak arrivals {peak_rate:,.0f}/h"
            + (f" from {peak.overload_from:%H:%M}" if peak.overload_from else "")
            + f"; longest wait {peak.max_wait_min:.0f} min at {peak.max_wait_at:%H:%M}"
            + f"; queue needs {peak.space_needed_m2:,.0f} m²"
        )
        if peak.min_space_m2_per_person is not None:
            reason += f" ({peak.min_space_m2_per_person:.2f} m²/person, LOS {peak.los})"
        found.append(
            Bottleneck(
                station_id=peak.station_id,
                label=peak.label,
                phase="ingress",
                severity_min=peak.max_wait_min,
                reason=reason,
            )
        )
    if forecast.egress is not None:
        sectors = {s.id: s for s in network.sectors}
        for result in forecast.egress.sectors:
            if result.meets_8_minutes:
                continue
            sector = sectors[result.sector_id]
            flow = sector.exit_capacity_per_min / max(sector.exit_width_m.value, 1e-9)
            need = result.persons / (figures.EGRESS_LIMIT_MINUTES * flow)
            found.append(
                Bottleneck(
                    station_id=f"{network.venue.id}/exit:{sector.id}",
                    label=f"{sector.name} exits",
                    phase="egress",
                    severity_min=result.stands_clear_min - figures.EGRESS_LIMIT_MINUTES,
                    reason=(
                        f"stands clear in {result.stands_clear_min:.1f} min, over the 8-minute "
                        f"rule; exits {sector.exit_width_m.value:.1f} m wide, need {need:.1f} m "
                        f"at {flow:.0f} /m/min"
                    ),
                )
            )
    return tuple(sorted(found, key=lambda b: -b.severity_min))
