"""Forecast one match or a whole day: ingress queues, waits, space, LOS, sector fill, egress.

Peaks are read off the fluid run (:mod:`opsroom.crowd.fluid`). Space needed is the queue times
0.6 m²/person (lower edge of Fruin's queuing LOS C); where a checkpoint's queue area is known, the
space each person actually has is area / queue and gives the Fruin level of service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd import figures
from opsroom.crowd.demand import Demand
from opsroom.crowd.fluid import FluidRun, run_fluid
from opsroom.crowd.network import VenueNetwork
from opsroom.crowd.stations import StationGraph, compile_egress, compile_ingress, merge_graphs

BEFORE_KICKOFF_MIN = 240.0
"""Ingress horizon starts 4 h before kick-off (the default profile starts at 3 h)."""
AFTER_KICKOFF_MIN = 60.0
FINAL_WHISTLE_MIN = 110.0
"""DEFAULT: egress starts 110 min after kick-off (90 min play, 15 min half-time, 5 min added)."""
EGRESS_HORIZON_MIN = 360.0
"""Egress is followed for 6 h: metro platforms can take hours to clear."""
QUEUE_EPS = 0.5
"""Queues under half a person count as empty."""


@dataclass(frozen=True, kw_only=True)
class StationPeak:
    """The worst moment of one station's ingress."""

    station_id: str
    label: str
    kind: str
    venue_id: str
    capacity_per_h: float
    throughput: float
    max_queue: float
    max_queue_at: datetime
    max_wait_min: float
    max_wait_at: datetime
    space_needed_m2: float
    area_m2: float | None
    min_space_m2_per_person: float | None
    los: str
    overload_from: datetime | None
    wait_alert_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SectorFill:
    sector_id: str
    expected: float
    filled_95_at: datetime | None
    filled_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class SectorEgress:
    sector_id: str
    persons: float
    stands_clear_min: float
    meets_8_minutes: bool


@dataclass(frozen=True, kw_only=True)
class Egress:
    """Egress from the final whistle: per sector out of the stands, and the venue incl. trains."""

    starts_at: datetime
    sectors: tuple[SectorEgress, ...]
    gates_clear_min: float
    platform_clear_min: float | None
    all_clear_min: float
    run: FluidRun


@dataclass(frozen=True, kw_only=True)
class Forecast:
    """One match's forecast."""

    venue_id: str
    match_id: str | None
    kickoff: datetime
    start: datetime
    run: FluidRun
    waits_s: NDArray[np.float64]
    peaks: tuple[StationPeak, ...]
    sectors: tuple[SectorFill, ...]
    egress: Egress | None

    def time_at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=float(seconds))


def station_peaks(
    run: FluidRun, waits_s: NDArray[np.float64], start: datetime, rows: NDArray[np.int64]
) -> tuple[StationPeak, ...]:
    graph, times = run.graph, run.times_s
    queue = run.queue
    peaks = []
    for row in rows:
        q = queue[row]
        if q.max() <= QUEUE_EPS:
            over = np.zeros(0, dtype=np.int64)
        else:
            rate_in = np.diff(run.arrivals[row])
            rate_cap = np.diff(run.capacity_cum[row])
            over = np.flatnonzero((rate_in > rate_cap * (1 + 1e-9)) & (q[1:] > QUEUE_EPS))
        qi = int(np.argmax(q))
        wi = int(np.argmax(waits_s[row]))
        max_q = float(q[qi])
        area = float(graph.area_m2[row])
        space = area / max_q if np.isfinite(area) and max_q > QUEUE_EPS else None
        alert = np.flatnonzero(waits_s[row] >= figures.ALERT_WAIT_MINUTES * 60.0)
        peaks.append(
            StationPeak(
                station_id=graph.ids[row],
                label=graph.labels[row],
                kind=graph.kinds[row],
                venue_id=graph.venue_ids[row],
                capacity_per_h=float(graph.capacity_per_s[row] * 3600.0),
                throughput=float(run.departures[row, -1]),
                max_queue=max_q,
                max_queue_at=start + timedelta(seconds=float(times[qi] - times[0])),
                max_wait_min=float(waits_s[row, wi] / 60.0),
                max_wait_at=start + timedelta(seconds=float(times[wi] - times[0])),
                space_needed_m2=max_q * figures.PLANNING_SPACE_M2_PER_PERSON,
                area_m2=area if np.isfinite(area) else None,
                min_space_m2_per_person=space,
                los=figures.fruin_queue_los(space)
                if space is not None
                else ("A" if max_q <= QUEUE_EPS else "-"),
                overload_from=start + timedelta(seconds=float(times[over[0]] - times[0]))
                if len(over)
                else None,
                wait_alert_at=start + timedelta(seconds=float(times[alert[0]] - times[0]))
                if len(alert)
                else None,
            )
        )
    return tuple(peaks)


def _time_reaching(
    curve: NDArray[np.float64],
    level: float,
    times: NDArray[np.float64],
    step_capacity: NDArray[np.float64] | None = None,
    arrivals: NDArray[np.float64] | None = None,
) -> float:
    """First time (s) a non-decreasing curve reaches ``level``; nan if never.

    For a station's departures pass its capacity per step and its arrivals: inside a step with
    constant rates, D(s) = D0 + min(mu s, Q0 + lambda s), which gives the time exactly; otherwise
    it is interpolated linearly.
    """
    if curve[-1] < level - 1e-6:
        return float("nan")
    j = int(np.searchsorted(curve, level - 1e-6, side="left"))
    if j == 0:
        return float(times[0])
    c0, c1 = curve[j - 1], curve[j]
    if step_capacity is not None and arrivals is not None and step_capacity[j - 1] > 0:
        need = level - c0
        queued = arrivals[j - 1] - c0
        inflow = arrivals[j] - arrivals[j - 1]
        late = (need - queued) / inflow if inflow > 0 and need > queued else 0.0
        frac = min(max(need / step_capacity[j - 1], late), 1.0)
    else:
        frac = (level - c0) / (c1 - c0) if c1 > c0 else 1.0
    return float(times[j - 1] + frac * (times[j] - times[j - 1]))


@dataclass(frozen=True, kw_only=True)
class PreparedMatch:
    network: VenueNetwork
    demand: Demand
    match_id: str | None
    ingress: StationGraph


def prepare_match(network: VenueNetwork, demand: Demand, match_id: str | None) -> PreparedMatch:
    """Routes (after whole-match closures) and stations of one match."""
    avoid = frozenset(c.checkpoint_id for c in demand.closures if c.whole_match)
    for checkpoint_id in avoid:
        network.checkpoint(checkpoint_id)
    graph = compile_ingress(
        network,
        origin_shares=demand.origin_shares(network),
        sector_split=demand.sector_split(network),
        avoid=avoid,
    )
    return PreparedMatch(network=network, demand=demand, match_id=match_id, ingress=graph)


def _capacity_series(
    prepared: list[PreparedMatch],
    graph: StationGraph,
    times: NDArray[np.float64],
    start: datetime,
) -> NDArray[np.float64] | None:
    windows = [(p, c) for p in prepared for c in p.demand.closures if not c.whole_match]
    if not windows:
        return None
    rates = np.repeat(graph.capacity_per_s[:, None], len(times) - 1, axis=1)
    mids = times[:-1] + 0.5 * (times[1] - times[0])
    for p, closure in windows:
        p.network.checkpoint(closure.checkpoint_id)
        row = graph.index(f"{p.network.venue.id}/{closure.checkpoint_id}")
        offset = (p.demand.kickoff - start).total_seconds()
        lo = offset + 60.0 * (closure.start_min if closure.start_min is not None else -1e6)
        hi = offset + 60.0 * (closure.end_min if closure.end_min is not None else 1e6)
        rates[row, (mids >= lo) & (mids < hi)] = 0.0
    return rates


def forecast_matches(
    items: list[tuple[VenueNetwork, Demand, str | None]],
    *,
    step_s: float = 10.0,
    with_egress: bool = True,
) -> list[Forecast]:
    """Forecast several matches (e.g. a whole day) in one vectorised run on a shared clock."""
    prepared = [prepare_match(n, d, m) for n, d, m in items]
    start = min(p.demand.kickoff for p in prepared) - timedelta(minutes=BEFORE_KICKOFF_MIN)
    end = max(p.demand.kickoff for p in prepared) + timedelta(minutes=AFTER_KICKOFF_MIN)
    steps = int(np.ceil((end - start).total_seconds() / step_s))
    times = np.arange(steps + 1, dtype=np.float64) * step_s
    graph = merge_graphs([p.ingress for p in prepared])
    sources = np.vstack(
        [
            p.demand.origin_curves(
                p.network, (times - (p.demand.kickoff - start).total_seconds()) / 60.0
            )
            for p in prepared
        ]
    )
    run = run_fluid(
        graph,
        sources,
        times_s=times,
        capacity_per_s=_capacity_series(prepared, graph, times, start),
    )
    waits = run.waits_s()
    results = []
    offset = 0
    sink_offset = 0
    for p in prepared:
        rows = np.arange(offset, offset + p.ingress.size, dtype=np.int64)
        offset += p.ingress.size
        split = p.demand.sector_split(p.network)
        fills = []
        venue_total = sum(
            float(run.sink_arrivals[sink_offset + k, -1]) for k in range(len(p.network.sectors))
        )
        expected_total = p.demand.attendance + sum(s.persons for s in p.demand.surges)
        for k, sector in enumerate(p.network.sectors):
            curve = run.sink_arrivals[sink_offset + k]
            expected = expected_total * split[sector.id] if venue_total > 0 else 0.0
            t95 = _time_reaching(curve, 0.95 * expected, times)
            t100 = _time_reaching(curve, expected - QUEUE_EPS, times)
            fills.append(
                SectorFill(
                    sector_id=sector.id,
                    expected=expected,
                    filled_95_at=None if np.isnan(t95) else start + timedelta(seconds=t95),
                    filled_at=None if np.isnan(t100) else start + timedelta(seconds=t100),
                )
            )
        sink_offset += len(p.network.sectors)
        results.append(
            Forecast(
                venue_id=p.network.venue.id,
                match_id=p.match_id,
                kickoff=p.demand.kickoff,
                start=start,
                run=run,
                waits_s=waits,
                peaks=station_peaks(run, waits, start, rows),
                sectors=tuple(fills),
                egress=forecast_egress(p.network, p.demand, step_s=step_s) if with_egress else None,
            )
        )
    return results


def forecast_match(
    network: VenueNetwork,
    demand: Demand,
    *,
    match_id: str | None = None,
    step_s: float = 10.0,
    with_egress: bool = True,
) -> Forecast:
    """Forecast one match's ingress (and egress) at ``step_s`` resolution."""
    return forecast_matches([(network, demand, match_id)], step_s=step_s, with_egress=with_egress)[
        0
    ]


def forecast_egress(network: VenueNetwork, demand: Demand, *, step_s: float = 10.0) -> Egress:
    """Everyone leaves at the final whistle: stands, gates, walk, and metro platforms."""
    shares = demand.origin_shares(network)
    split = demand.sector_split(network)
    graph = compile_egress(network, origin_shares=shares, sector_split=split)
    steps = int(np.ceil(EGRESS_HORIZON_MIN * 60.0 / step_s))
    times = np.arange(steps + 1, dtype=np.float64) * step_s
    people = demand.attendance + sum(s.persons for s in demand.surges)
    occupancy = np.array([people * split[s.id] for s in network.sectors])
    sources = np.repeat(occupancy[:, None], steps + 1, axis=1)
    run = run_fluid(graph, sources, times_s=times)
    sectors = []
    for k, sector in enumerate(network.sectors):
        row = graph.index(f"{network.venue.id}/exit:{sector.id}")
        clear = (
            _time_reaching(run.departures[row], occupancy[k], times, np.diff(run.capacity_cum[row]))
            / 60.0
        )
        sectors.append(
            SectorEgress(
                sector_id=sector.id,
                persons=float(occupancy[k]),
                stands_clear_min=clear,
                meets_8_minutes=bool(clear <= figures.EGRESS_LIMIT_MINUTES + 1e-6),
            )
        )
    gate_rows = [i for i, kind in enumerate(graph.kinds) if kind == "gate-exit"]
    platform_rows = [i for i, kind in enumerate(graph.kinds) if kind == "platform"]

    def clear_of(rows: list[int]) -> float:
        if not rows:
            return float("nan")
        return (
            max(
                _time_reaching(
                    run.departures[r],
                    run.arrivals[r, -1],
                    times,
                    np.diff(run.capacity_cum[r]),
                    run.arrivals[r],
                )
                for r in rows
            )
            / 60.0
        )

    all_clear = (
        max(
            _time_reaching(run.sink_arrivals[k], run.sink_arrivals[k, -1], times)
            for k in range(len(graph.sink_ids))
        )
        / 60.0
    )
    if run.sink_arrivals[:, -1].sum() < people - 1.0:
        all_clear = float("nan")
    return Egress(
        starts_at=demand.kickoff + timedelta(minutes=FINAL_WHISTLE_MIN),
        sectors=tuple(sectors),
        gates_clear_min=clear_of(gate_rows),
        platform_clear_min=clear_of(platform_rows) if platform_rows else None,
        all_clear_min=all_clear,
        run=run,
    )
