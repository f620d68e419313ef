"""Stochastic mode: a discrete-event simulation with random service times, for the spread.

Every fan is a person with an arrival time drawn from the demand's cumulative curve of their
origin. At each station (in level order, which is exact for a feed-forward network) the people
arriving are served first-come first-served by the station's servers:

- a checkpoint has ``servers`` parallel servers; one service lasts a Gamma-distributed time with
  the server's mean (1 / rate) and a coefficient of variation of 0.5 (DEFAULT, reasoned from the
  5-7 s spread per patron at a detector lane reported by CCICADA; the user may set another);
- a walking link is one deterministic server at its capacity (width × specific flow), followed by
  its walking time.

After a station, each person picks the next station with the routing shares of the fluid model,
so the stochastic and fluid models describe the same network. The result gives, per station, the
peak queue and the longest wait of each replication, to read off a spread (e.g. 10th-90th
percentile) around the fluid forecast.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd.demand import Demand
from opsroom.crowd.forecast import AFTER_KICKOFF_MIN, BEFORE_KICKOFF_MIN, prepare_match
from opsroom.crowd.network import VenueNetwork

SERVICE_CV = 0.5
"""DEFAULT coefficient of variation of one service time (reasoned, see the module text)."""


@dataclass(frozen=True, kw_only=True)
class StochasticResult:
    """Per replication (rows) and station (columns): peak queue (persons), longest wait (min)."""

    station_ids: tuple[str, ...]
    max_queue: NDArray[np.float64]
    max_wait_min: NDArray[np.float64]
    served: NDArray[np.float64]

    def percentile(self, what: str, q: float) -> dict[str, float]:
        values = self.max_queue if what == "queue" else self.max_wait_min
        return dict(zip(self.station_ids, np.percentile(values, q, axis=0).tolist(), strict=True))


def _multi_server(
    arrivals: NDArray[np.float64], servers: int, service: NDArray[np.float64]
) -> NDArray[np.float64]:
    """FIFO start times at ``servers`` parallel servers for sorted ``arrivals``."""
    starts = np.empty_like(arrivals)
    free = [float(arrivals[0]) if len(arrivals) else 0.0] * servers
    heapq.heapify(free)
    for i, (arrive, length) in enumerate(zip(arrivals.tolist(), service.tolist(), strict=True)):
        earliest = heapq.heappop(free)
        start = arrive if arrive > earliest else earliest
        starts[i] = start
        heapq.heappush(free, start + length)
    return starts


def _single_deterministic(arrivals: NDArray[np.float64], gap: float) -> NDArray[np.float64]:
    """FIFO start times at one server of fixed service time ``gap`` (vectorised recursion)."""
    k = np.arange(len(arrivals), dtype=np.float64)
    return np.maximum.accumulate(arrivals - k * gap) + k * gap


def simulate(
    network: VenueNetwork,
    demand: Demand,
    *,
    replications: int = 5,
    seed: int = 0,
    step_s: float = 10.0,
    service_cv: float = SERVICE_CV,
) -> StochasticResult:
    """Run ``replications`` independent discrete-event simulations of one match's ingress."""
    prepared = prepare_match(network, demand, None)
    graph = prepared.ingress
    checkpoints = {f"{network.venue.id}/{c.id}": c for c in network.checkpoints}
    rng = np.random.default_rng(seed)
    grid_min = np.arange(-BEFORE_KICKOFF_MIN, AFTER_KICKOFF_MIN + 1e-9, step_s / 60.0)
    curves = demand.origin_curves(network, grid_min)
    e_src, e_dst, e_frac = graph.entry
    g_src, g_dst, g_frac = graph.edges
    n = graph.size
    shape = 1.0 / service_cv**2
    max_queue = np.zeros((replications, n))
    max_wait = np.zeros((replications, n))
    served = np.zeros((replications, n))
    for rep in range(replications):
        incoming: list[list[NDArray[np.float64]]] = [[] for _ in range(n)]
        for o in range(len(graph.source_ids)):
            total = curves[o, -1]
            count = int(rng.poisson(total)) if total > 0 else 0
            if count == 0:
                continue
            times = np.interp(rng.uniform(0, total, count), curves[o], grid_min * 60.0)
            mine = e_src == o
            pick = rng.choice(int(mine.sum()), size=count, p=e_frac[mine] / e_frac[mine].sum())
            for j, station in enumerate(e_dst[mine]):
                incoming[station].append(times[pick == j])
        for station in np.argsort(graph.level, kind="stable"):
            arrivals = np.sort(np.concatenate(incoming[station])) if incoming[station] else None
            if arrivals is None or len(arrivals) == 0:
                continue
            sid = graph.ids[station]
            if sid in checkpoints and checkpoints[sid].servers > 0:
                checkpoint = checkpoints[sid]
                mean = 3600.0 / checkpoint.rate_per_server_per_h.value
                service = rng.gamma(shape, mean / shape, size=len(arrivals))
                starts = _multi_server(arrivals, checkpoint.servers, service)
            else:
                gap = 1.0 / max(graph.capacity_per_s[station], 1e-12)
                service = np.full(len(arrivals), gap)
                starts = _single_deterministic(arrivals, gap)
            waits = starts - arrivals
            grid = grid_min * 60.0
            queued = np.searchsorted(arrivals, grid, side="right") - np.searchsorted(
                np.sort(starts), grid, side="right"
            )
            max_queue[rep, station] = float(queued.max())
            max_wait[rep, station] = float(waits.max() / 60.0)
            served[rep, station] = float(len(arrivals))
            leave = starts + service + graph.delay_s[station]
            out = g_src == station
            if out.any():
                weights = g_frac[out]
                options = len(weights)
                rest = 1.0 - weights.sum()
                p = np.append(weights, max(rest, 0.0))
                pick = rng.choice(options + 1, size=len(leave), p=p / p.sum())
                for j, nxt in enumerate(g_dst[out]):
                    incoming[nxt].append(leave[pick == j])
    return StochasticResult(
        station_ids=graph.ids, max_queue=max_queue, max_wait_min=max_wait, served=served
    )
