"""Nowcast: re-estimate arrivals and service rates from gate counts so far, re-forecast the rest.

Input: counts per checkpoint per interval (people who passed it), as the gates report them, or
individual passage times turned into such counts by :func:`counts_from_timestamps`.
Method, each step a fluid run of the venue (several candidates at once, as one merged network):

1. *Arrivals.* Fans so far are ``alpha`` times the plan's arrivals so far; with the ticket total
   kept (default), the rest arrive along the remaining profile, so early arrivals mean fewer
   later. ``alpha`` is updated by the ratio of observed to forecast counts at the checkpoints
   that are not queued (where throughput follows arrivals).
2. *Service.* An interval is *queued* at a checkpoint when the fitted arrivals there exceed the
   observed count so far (a queue must be standing); the count over a queued interval is the
   checkpoint's service rate, and the mean of at least two replaces the planned capacity.
3. Steps 1-2 alternate a few rounds (one fluid run each); the re-forecast with the result gives
   queue and wait now and ahead, and alerts with lead time.

It is a pure function of (network, demand, counts, as_of) and returns a frozen, JSON-ready
result. ``benchmarks/crowd_speed.py`` measures its time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd.alerts import Alert, alerts_for
from opsroom.crowd.demand import Demand
from opsroom.crowd.fluid import run_fluid
from opsroom.crowd.forecast import (
    AFTER_KICKOFF_MIN,
    BEFORE_KICKOFF_MIN,
    Forecast,
    prepare_match,
    station_peaks,
)
from opsroom.crowd.network import VenueNetwork
from opsroom.crowd.stations import StationGraph
from opsroom.errors import InvalidInputError, Problem

ALPHA_BOUNDS = (0.05, 5.0)
FIT_ROUNDS = 4
MIN_QUEUED_INTERVALS = 2
QUEUED_PERSONS = 25.0
QUEUED_SHARE = 0.02
"""An interval counts as queued when the fitted arrivals exceed the observed count by more than
25 persons and 2 % of the arrivals at both its ends (reasoned thresholds against count noise)."""


@dataclass(frozen=True, kw_only=True)
class GateCount:
    """People who passed ``checkpoint_id`` between ``start`` and ``end`` (aware datetimes)."""

    checkpoint_id: str
    start: datetime
    end: datetime
    count: float

    def __post_init__(self) -> None:
        problems = []
        for name in ("start", "end"):
            moment = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                problems.append(Problem("time has no time zone (give a UTC offset)", field=name))
        if not problems and self.end <= self.start:
            problems.append(Problem("interval ends before it starts", field="end"))
        if self.count < 0:
            problems.append(Problem("count is negative", field="count"))
        if problems:
            raise InvalidInputError(f"gate count for {self.checkpoint_id!r} is not valid", problems)


def counts_from_timestamps(
    checkpoint_id: str,
    timestamps: Sequence[datetime],
    *,
    start: datetime,
    end: datetime,
    interval_s: float = 60.0,
) -> list[GateCount]:
    """Interval counts from individual passages (e.g. turnstile scans) between start and end."""
    if interval_s <= 0 or end <= start:
        raise InvalidInputError(
            "bad counting window",
            [Problem("need end after start and interval > 0", field="interval_s")],
        )
    for moment in (start, end, *timestamps):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise InvalidInputError(
                "a time has no time zone", [Problem("give UTC offsets", field="timestamps")]
            )
    bins = int(np.ceil((end - start).total_seconds() / interval_s))
    offsets = np.array([(t - start).total_seconds() for t in timestamps], dtype=np.float64)
    inside = (offsets >= 0) & (offsets < bins * interval_s)
    per_bin = np.bincount((offsets[inside] // interval_s).astype(np.int64), minlength=bins)
    return [
        GateCount(
            checkpoint_id=checkpoint_id,
            start=start + timedelta(seconds=k * interval_s),
            end=start + timedelta(seconds=(k + 1) * interval_s),
            count=float(per_bin[k]),
        )
        for k in range(bins)
    ]


@dataclass(frozen=True, kw_only=True)
class CheckpointNowcast:
    checkpoint_id: str
    observed: float
    forecast_so_far: float
    capacity_per_h: float
    capacity_source: str
    queue_now: float
    wait_now_min: float
    max_queue_ahead: float
    max_wait_min_ahead: float
    max_wait_at: datetime


@dataclass(frozen=True, kw_only=True)
class Nowcast:
    venue_id: str
    as_of: datetime
    arrival_factor: float
    checkpoints: tuple[CheckpointNowcast, ...]
    alerts: tuple[Alert, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "venue_id": self.venue_id,
            "as_of": self.as_of.isoformat(),
            "arrival_factor": round(self.arrival_factor, 4),
            "checkpoints": [
                {
                    "checkpoint_id": c.checkpoint_id,
                    "observed": round(c.observed, 1),
                    "forecast_so_far": round(c.forecast_so_far, 1),
                    "capacity_per_h": round(c.capacity_per_h, 1),
                    "capacity_source": c.capacity_source,
                    "queue_now": round(c.queue_now, 1),
                    "wait_now_min": round(c.wait_now_min, 2),
                    "max_queue_ahead": round(c.max_queue_ahead, 1),
                    "max_wait_min_ahead": round(c.max_wait_min_ahead, 2),
                    "max_wait_at": c.max_wait_at.isoformat(),
                }
                for c in self.checkpoints
            ],
            "alerts": [a.to_dict() for a in self.alerts],
        }


def _refit_curves(
    base: NDArray[np.float64], alphas: NDArray[np.float64], now: int, keep_total: bool
) -> NDArray[np.float64]:
    """Arrival curves (alphas × origins × times) with ``alpha`` times the arrivals so far."""
    so_far = base[:, now][None, :, None]
    total = base[:, -1][None, :, None]
    a = alphas[:, None, None]
    if keep_total:
        a = np.minimum(a, np.where(so_far > 0, total / np.maximum(so_far, 1e-12), a))
    before = a * base[None, :, :]
    if not keep_total:
        return before
    rest = np.where(
        total - so_far > 1e-9, (total - a * so_far) / np.maximum(total - so_far, 1e-9), 0.0
    )
    after = a * so_far + rest * (base[None, :, :] - so_far)
    index = np.arange(base.shape[1])[None, None, :]
    return np.where(index <= now, before, after)


def _fit(
    graph: StationGraph,
    base: NDArray[np.float64],
    capacity: NDArray[np.float64],
    sources: dict[str, str],
    by_checkpoint: dict[str, list[GateCount]],
    times: NDArray[np.float64],
    now: int,
    start: datetime,
    step_s: float,
    keep_attendance: bool,
) -> float:
    """Alternate the arrival factor and the service rates; updates ``capacity`` in place."""

    def at(moment: datetime) -> int:
        return min(max(round((moment - start).total_seconds() / step_s), 0), now)

    # Per checkpoint, vectors over its intervals: grid index of start and end, count before the
    # interval, count at its end, and the interval's rate.
    table = []
    for sid, counts in by_checkpoint.items():
        ordered = sorted(counts, key=lambda c: c.end)
        done = np.cumsum([c.count for c in ordered])
        table.append(
            (
                sid,
                graph.index(sid),
                np.array([at(c.start) for c in ordered]),
                np.array([at(c.end) for c in ordered]),
                done - np.array([c.count for c in ordered]),
                done,
                np.array([c.count / (c.end - c.start).total_seconds() for c in ordered]),
            )
        )
    alpha = 1.0
    planned = capacity.copy()
    for _ in range(FIT_ROUNDS):
        before_round = capacity.copy()
        curves = _refit_curves(base, np.array([alpha]), now, keep_attendance)[0, :, : now + 1]
        run = run_fluid(
            graph,
            curves,
            times_s=times[: now + 1],
            capacity_per_s=np.repeat(capacity[:, None], now, axis=1),
        )
        observed_total = model_total = 0.0
        for sid, row, lo, hi, prior, done, rate in table:
            arrived_lo, arrived_hi = run.arrivals[row, lo], run.arrivals[row, hi]
            queued = (
                (hi > lo)
                & (arrived_lo - prior > np.maximum(QUEUED_PERSONS, QUEUED_SHARE * arrived_lo))
                & (arrived_hi - done > np.maximum(QUEUED_PERSONS, QUEUED_SHARE * arrived_hi))
            )
            if int(queued.sum()) >= MIN_QUEUED_INTERVALS:
                capacity[row] = float(rate[queued].mean())
                sources[sid] = f"observed ({int(queued.sum())} queued intervals)"
            else:
                capacity[row] = planned[row]
                sources[sid] = "plan"
                observed_total += float(done[-1])
                model_total += float(run.departures[row, hi[-1]])
        previous = alpha
        if model_total > 0:
            alpha = float(np.clip(alpha * observed_total / model_total, *ALPHA_BOUNDS))
        if abs(alpha - previous) < 1e-4 and np.array_equal(capacity, before_round):
            break
    return alpha


def nowcast(
    network: VenueNetwork,
    demand: Demand,
    counts: Sequence[GateCount],
    *,
    as_of: datetime,
    step_s: float = 10.0,
    keep_attendance: bool = True,
) -> Nowcast:
    """Re-estimate from ``counts`` up to ``as_of`` and forecast the rest of the ingress."""
    if as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidInputError(
            "as_of has no time zone", [Problem("give a UTC offset", field="as_of")]
        )
    prepared = prepare_match(network, demand, None)
    graph = prepared.ingress
    venue = network.venue.id
    start = demand.kickoff - timedelta(minutes=BEFORE_KICKOFF_MIN)
    end = demand.kickoff + timedelta(minutes=AFTER_KICKOFF_MIN)
    steps = int(np.ceil((end - start).total_seconds() / step_s))
    times = np.arange(steps + 1, dtype=np.float64) * step_s
    now = int(np.clip(np.floor((as_of - start).total_seconds() / step_s), 0, steps))
    base = demand.origin_curves(network, (times - BEFORE_KICKOFF_MIN * 60.0) / 60.0)
    by_checkpoint: dict[str, list[GateCount]] = defaultdict(list)
    for count in counts:
        row_id = f"{venue}/{count.checkpoint_id}"
        if row_id not in graph.ids:
            raise InvalidInputError(
                "gate counts name an unknown checkpoint",
                [
                    Problem(
                        f"no checkpoint {count.checkpoint_id!r} at {venue!r}", field="checkpoint_id"
                    )
                ],
            )
        if count.end <= as_of:
            by_checkpoint[row_id].append(count)
    marks: list[tuple[int, int, float]] = []  # (row, grid index of interval end, cum. count)
    for sid, observed_counts in by_checkpoint.items():
        cumulative = 0.0
        for count in sorted(observed_counts, key=lambda c: c.end):
            cumulative += count.count
            at = int(np.clip(round((count.end - start).total_seconds() / step_s), 0, now))
            marks.append((graph.index(sid), at, cumulative))
    capacity = graph.capacity_per_s.copy()
    sources: dict[str, str] = {sid: "plan" for sid in graph.ids}
    alpha = 1.0
    if marks and now >= 1:
        alpha = _fit(
            graph,
            base,
            capacity,
            sources,
            by_checkpoint,
            times,
            now,
            start,
            step_s,
            keep_attendance,
        )
    curves = _refit_curves(base, np.array([alpha]), now, keep_attendance)[0]
    run = run_fluid(
        graph, curves, times_s=times, capacity_per_s=np.repeat(capacity[:, None], steps, axis=1)
    )
    waits = run.waits_s()
    rows = np.arange(graph.size, dtype=np.int64)
    forecast = Forecast(
        venue_id=venue,
        match_id=None,
        kickoff=demand.kickoff,
        start=start,
        run=run,
        waits_s=waits,
        peaks=station_peaks(run, waits, start, rows),
        sectors=(),
        egress=None,
    )
    checkpoint_ids = {f"{venue}/{c.id}" for c in network.checkpoints}
    results = []
    for row in rows:
        sid = graph.ids[row]
        if sid not in checkpoint_ids:
            continue
        ahead = slice(now, None)
        peak_at = now + int(np.argmax(waits[row, ahead]))
        observed = max((m[2] for m in marks if m[0] == row), default=0.0)
        results.append(
            CheckpointNowcast(
                checkpoint_id=sid.split("/", 1)[1],
                observed=observed,
                forecast_so_far=float(run.departures[row, now]),
                capacity_per_h=float(capacity[row] * 3600.0),
                capacity_source=sources[sid],
                queue_now=float(run.queue[row, now]),
                wait_now_min=float(waits[row, now] / 60.0),
                max_queue_ahead=float(run.queue[row, ahead].max()),
                max_wait_min_ahead=float(waits[row, ahead].max() / 60.0),
                max_wait_at=start + timedelta(seconds=float(times[peak_at])),
            )
        )
    return Nowcast(
        venue_id=venue,
        as_of=as_of,
        arrival_factor=alpha,
        checkpoints=tuple(results),
        alerts=alerts_for(forecast, as_of=as_of),
    )
