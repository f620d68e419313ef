"""The fluid engine against the closed form and against an independent Lindley recursion."""

from __future__ import annotations

import numpy as np
import pytest
from crowd_factories import KICKOFF, tiny_network
from hypothesis import given, settings
from hypothesis import strategies as st

from opsroom.crowd.demand import ArrivalProfile, Demand
from opsroom.crowd.forecast import forecast_match
from opsroom.crowd.stations import compile_ingress


def _flat_demand(persons: int, start_min: float, minutes: float) -> Demand:
    profile = ArrivalProfile(
        edges_min=(start_min, start_min + minutes), shares=(1.0,), source="user"
    )
    return Demand(attendance=persons, kickoff=KICKOFF, profile=profile)


@pytest.mark.parametrize("step_s", [10.0, 7.0, 1.0])
def test_single_checkpoint_matches_the_closed_form(step_s: float) -> None:
    # 4 lanes x 600/h = 2400/h; 6000 arrive uniformly in 60 min: lambda = 6000/h.
    network = tiny_network(lanes=4, lane_rate=600.0)
    forecast = forecast_match(
        network, _flat_demand(6000, -90, 60), step_s=step_s, with_egress=False
    )
    peak = {p.station_id: p for p in forecast.peaks}["tiny/g1"]
    lam, mu, tau = 6000 / 3600, 2400 / 3600, 3600.0
    max_queue = (lam - mu) * tau  # 3600 persons at the end of the arrival window
    max_wait_min = max_queue / mu / 60.0  # 90 min for the last to arrive
    clear_s = lam * tau / mu  # 150 min after the window opens
    assert peak.max_queue == pytest.approx(max_queue, rel=0.01)
    assert peak.max_wait_min == pytest.approx(max_wait_min, rel=0.01)
    fill = forecast.sectors[0].filled_at
    assert fill is not None
    start = KICKOFF.timestamp() - 90 * 60
    assert fill.timestamp() - start == pytest.approx(clear_s, rel=0.01)
    assert peak.space_needed_m2 == pytest.approx(max_queue * 0.6, rel=0.01)
    assert peak.los == "F"  # 500 m² for 3600 people


def test_no_queue_when_capacity_exceeds_arrivals() -> None:
    network = tiny_network(lanes=10, lane_rate=660.0)
    forecast = forecast_match(network, _flat_demand(6000, -90, 60), with_egress=False)
    assert all(p.max_queue < 1e-6 for p in forecast.peaks)
    assert all(p.los == "A" for p in forecast.peaks)


def _lindley(arrivals: np.ndarray, capacity_step: np.ndarray) -> np.ndarray:
    queue = np.zeros_like(arrivals)
    for k in range(1, len(arrivals)):
        queue[k] = max(queue[k - 1] + arrivals[k] - arrivals[k - 1] - capacity_step[k - 1], 0.0)
    return queue


rates = st.lists(st.integers(min_value=0, max_value=200), min_size=2, max_size=8)


@settings(max_examples=30, deadline=None)
@given(
    rates=rates,
    lanes=st.integers(min_value=1, max_value=6),
    turnstiles=st.integers(min_value=1, max_value=6),
)
def test_network_laws(rates: list[int], lanes: int, turnstiles: int) -> None:
    """Conservation of people, no negative queue, equality with the Lindley recursion."""
    total = sum(rates)
    if total == 0:
        rates = [*rates[:-1], 1]
        total = 1
    profile = ArrivalProfile(
        edges_min=tuple(-60.0 + 5.0 * i for i in range(len(rates) + 1)),
        shares=tuple(r / total for r in rates),
        source="user",
    )
    network = tiny_network(lanes=lanes, lane_rate=600.0, turnstiles=turnstiles)
    demand = Demand(attendance=total * 10, kickoff=KICKOFF, profile=profile)
    forecast = forecast_match(network, demand, with_egress=False)
    run = forecast.run
    assert (run.queue >= 0).all()
    assert (run.departures <= run.arrivals + 1e-6).all()
    assert (np.diff(run.departures, axis=1) >= -1e-9).all()
    # Everyone who arrived is in a queue or has reached the stand (zero-length links).
    in_queues = run.queue.sum(axis=0)
    assert np.allclose(in_queues + run.sink_arrivals.sum(axis=0), run.arrivals[0], atol=1e-6)
    # The screening queue is exactly the Lindley recursion at grid points.
    row = run.graph.index("tiny/g1")
    step_capacity = np.diff(run.capacity_cum[row])
    assert np.allclose(run.queue[row], _lindley(run.arrivals[row], step_capacity), atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(
    lanes=st.integers(min_value=2, max_value=8),
    removed=st.integers(min_value=1, max_value=6),
    persons=st.integers(min_value=500, max_value=8000),
)
def test_waits_never_fall_when_lanes_are_removed(lanes: int, removed: int, persons: int) -> None:
    fewer = max(lanes - removed, 1)
    demand = _flat_demand(persons, -90, 45)
    many = forecast_match(tiny_network(lanes=lanes, turnstiles=3), demand, with_egress=False)
    few = forecast_match(tiny_network(lanes=fewer, turnstiles=3), demand, with_egress=False)
    wait = {p.station_id: p.max_wait_min for p in many.peaks}
    wait_few = {p.station_id: p.max_wait_min for p in few.peaks}
    assert wait_few["tiny/g1"] >= wait["tiny/g1"] - 1e-6
    # Fewer lanes never bring anyone to the stand sooner.
    assert (few.run.sink_arrivals <= many.run.sink_arrivals + 1e-6).all()


def test_static_split_keeps_each_route_share() -> None:
    network = tiny_network(gates=2, seats=10_000)
    demand = Demand(attendance=1000, kickoff=KICKOFF, sector_shares={"s1": 0.7, "s2": 0.3})
    graph = compile_ingress(
        network,
        origin_shares=demand.origin_shares(network),
        sector_split=demand.sector_split(network),
    )
    _src, dst, frac = graph.entry
    shares = {graph.ids[d]: f for d, f in zip(dst, frac, strict=True)}
    assert shares == {"tiny/walk1": pytest.approx(0.7), "tiny/walk2": pytest.approx(0.3)}
