from __future__ import annotations

import numpy as np
import pytest
from crowd_factories import KICKOFF, tiny_network

from opsroom.crowd.demand import ArrivalProfile, Demand
from opsroom.crowd.forecast import forecast_match
from opsroom.crowd.stochastic import _multi_server, _single_deterministic, simulate


def test_multi_server_fifo_by_hand() -> None:
    arrivals = np.array([0.0, 0.0, 0.0, 1.0])
    starts = _multi_server(arrivals, 2, np.array([4.0, 2.0, 1.0, 1.0]))
    assert starts.tolist() == [0.0, 0.0, 2.0, 3.0]
    assert _single_deterministic(np.array([0.0, 0.0, 5.0]), 2.0).tolist() == [0.0, 2.0, 5.0]


def test_spread_brackets_the_fluid_forecast_when_overloaded() -> None:
    profile = ArrivalProfile(edges_min=(-90, -60), shares=(1.0,), source="user")
    demand = Demand(attendance=3000, kickoff=KICKOFF, profile=profile)
    network = tiny_network(lanes=2, lane_rate=600.0, seats=3000)
    fluid = {p.station_id: p for p in forecast_match(network, demand, with_egress=False).peaks}
    result = simulate(network, demand, replications=4, seed=7)
    served = result.served[:, result.station_ids.index("tiny/g1")]
    assert served.mean() == pytest.approx(3000, rel=0.1)
    waits = result.max_wait_min[:, result.station_ids.index("tiny/g1")]
    assert fluid["tiny/g1"].max_wait_min == pytest.approx(float(np.median(waits)), rel=0.1)
    queues = result.max_queue[:, result.station_ids.index("tiny/g1")]
    assert fluid["tiny/g1"].max_queue == pytest.approx(float(np.median(queues)), rel=0.1)
