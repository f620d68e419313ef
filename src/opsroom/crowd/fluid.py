"""The fluid (cumulative-curve) queue network.

Each station is a FIFO queue with cumulative arrivals A(t), cumulative service capacity C(t) and
cumulative departures D(t). Departures follow the reflection (Skorokhod) formula

    Q(t) = X(t) - min(0, min_{s<=t} X(s)),   X(t) = A(t) - C(t),   D(t) = A(t) - Q(t),

which is the exact fluid queue for any arrival and capacity curves. On a time grid where arrival
and capacity rates are constant inside each step, A and C are linear inside a step and the minimum
over a step falls on its ends, so the grid values are exact, not an approximation: the only error
is rounding each walking delay to a whole step. Stations are computed level by level (all stations
of a level at once, over the whole day at once), so there is no loop over time steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd.stations import StationGraph
from opsroom.errors import InvalidInputError, Problem

MAX_STEP_S = 10.0
"""Coarsest time step the engine accepts (a resolution of 10 s or better is required)."""


@dataclass(frozen=True, kw_only=True)
class FluidRun:
    """Cumulative curves of every station on a grid of ``step_s`` seconds from ``times_s[0]``."""

    graph: StationGraph
    times_s: NDArray[np.float64]
    arrivals: NDArray[np.float64]
    departures: NDArray[np.float64]
    sink_arrivals: NDArray[np.float64]
    capacity_cum: NDArray[np.float64]

    @property
    def step_s(self) -> float:
        return float(self.times_s[1] - self.times_s[0])

    queue: NDArray[np.float64]
    """People queueing at each station (persons), never negative."""

    def waits_s(self) -> NDArray[np.float64]:
        """FIFO wait (s) of the person arriving at each grid time, per station.

        Someone arriving at t is the A(t)-th person and leaves when D reaches A(t). While they
        queue the station serves at full capacity, so inside the step where D passes A(t) the
        leaving time is exact: the step's start plus (A(t) - D) / capacity. Someone not served
        within the horizon gets the wait up to its end.
        """
        waits = np.zeros_like(self.arrivals)
        queue = self.queue
        times = self.times_s
        for row in np.flatnonzero(queue.max(axis=1) > 1e-9):
            a, d = self.arrivals[row], self.departures[row]
            step_capacity = np.diff(self.capacity_cum[row])
            busy = queue[row] > 1e-9
            target = a[busy]
            j = np.clip(np.searchsorted(d, target - 1e-9, side="left"), 1, len(d) - 1)
            served = np.maximum(step_capacity[j - 1], 1e-12)
            frac = np.clip((target - d[j - 1]) / served, 0.0, 1.0)
            leave = times[j - 1] + frac * (times[j] - times[j - 1])
            leave = np.where(target > d[-1] + 1e-9, times[-1], leave)
            waits[row, busy] = np.maximum(leave - times[busy], 0.0)
        return waits


def _scatter_add(
    target: NDArray[np.float64],
    rows: NDArray[np.int64],
    weights: NDArray[np.float64],
    curves: NDArray[np.float64],
    from_rows: NDArray[np.int64],
) -> None:
    """``target[rows[i]] += weights[i] * curves[from_rows[i]]`` for every i, summing repeats."""
    if not len(rows):
        return
    order = np.argsort(rows, kind="stable")
    rows, weights, from_rows = rows[order], weights[order], from_rows[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    sums = np.add.reduceat(weights[:, None] * curves[from_rows], starts, axis=0)
    target[rows[starts]] += sums


def _shift(curves: NDArray[np.float64], steps: NDArray[np.int64]) -> NDArray[np.float64]:
    if not steps.any():
        return curves
    width = curves.shape[1]
    index = np.arange(width)[None, :] - steps[:, None]
    return np.take_along_axis(curves, np.clip(index, 0, width - 1), axis=1)


def run_fluid(
    graph: StationGraph,
    source_curves: NDArray[np.float64],
    *,
    times_s: NDArray[np.float64],
    capacity_per_s: NDArray[np.float64] | None = None,
) -> FluidRun:
    """Run the network; ``source_curves`` are cumulative inflows per source at ``times_s``.

    ``capacity_per_s`` may give each station's capacity per step (shape stations × steps) for
    closures and changes in lanes; by default the graph's constant capacities hold.
    """
    steps = len(times_s) - 1
    step = float(times_s[1] - times_s[0]) if steps > 0 else 0.0
    if steps < 1 or step <= 0 or step > MAX_STEP_S + 1e-9:
        raise InvalidInputError(
            "time grid is not usable",
            [Problem(f"step must be in (0, {MAX_STEP_S}] s; got {step}", field="step_s")],
        )
    n = graph.size
    if capacity_per_s is None:
        rates = np.broadcast_to(graph.capacity_per_s[:, None], (n, steps))
    else:
        rates = capacity_per_s
    capacity_cum = np.zeros((n, steps + 1))
    np.cumsum(rates * step, axis=1, out=capacity_cum[:, 1:])
    arrivals = np.zeros((n, steps + 1))
    departures = np.zeros((n, steps + 1))
    delayed = np.zeros((n, steps + 1))
    src, dst, frac = graph.entry
    _scatter_add(arrivals, dst, frac, source_curves, src)
    delay_steps = np.rint(graph.delay_s / step).astype(np.int64)
    e_src, e_dst, e_frac = graph.edges
    edge_level = graph.level[e_dst] if len(e_dst) else e_dst
    for level in range(int(graph.level.max()) + 1 if n else 0):
        rows = np.flatnonzero(graph.level == level)
        into = edge_level == level
        if into.any():
            _scatter_add(arrivals, e_dst[into], e_frac[into], delayed, e_src[into])
        x = arrivals[rows] - capacity_cum[rows]
        floor = np.minimum(np.minimum.accumulate(x, axis=1), 0.0)
        departures[rows] = arrivals[rows] - (x - floor)
        delayed[rows] = _shift(departures[rows], delay_steps[rows])
    sink_arrivals = np.zeros((len(graph.sink_ids), steps + 1))
    s_src, s_dst, s_frac = graph.sinks
    _scatter_add(sink_arrivals, s_dst, s_frac, delayed, s_src)
    return FluidRun(
        graph=graph,
        times_s=times_s,
        arrivals=arrivals,
        departures=departures,
        sink_arrivals=sink_arrivals,
        capacity_cum=capacity_cum,
        queue=np.maximum(arrivals - departures, 0.0),
    )
