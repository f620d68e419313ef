from __future__ import annotations

import pytest
from crowd_factories import KICKOFF, tiny_network

from opsroom.crowd.alerts import alerts_for
from opsroom.crowd.demand import ArrivalProfile, Demand
from opsroom.crowd.forecast import forecast_match
from opsroom.crowd.planner import green_guide_minimum, plan_venue


def _flat(persons: int, start: float = -90, minutes: float = 60) -> Demand:
    profile = ArrivalProfile(edges_min=(start, start + minutes), shares=(1.0,), source="user")
    return Demand(attendance=persons, kickoff=KICKOFF, profile=profile)


def test_green_guide_turnstile_minimum() -> None:
    network = tiny_network(seats=10_000, turnstiles=3)
    assert green_guide_minimum(network) == {"t1": 16}  # 10,000 / 660 = 15.2


def test_planner_finds_the_fewest_lanes_for_the_target() -> None:
    # 6,000 in 60 min through lanes of 600/h: the queue peaks at the end of the window with
    # 6000 - 600 n persons, and its last person waits (6000 - 600 n) / (600 n) h; <= 15 min needs
    # n >= 8. The 500 m² queue area holds 833 persons at 0.6 m²: n >= 8.6, so 9 lanes.
    network = tiny_network(lanes=2, lane_rate=600.0, seats=6000)
    plan = plan_venue(network, _flat(6000), target_wait_min=15.0)
    lanes = {c.checkpoint_id: c for c in plan.checkpoints}["g1"]
    assert lanes.servers_needed == 9
    assert lanes.max_wait_min_planned <= 15.0
    assert lanes.staff_needed == 0  # the tiny network gives no staff figure
    assert lanes.feasible
    # One lane fewer breaks the space rule, two fewer the wait: the plan is the minimum.
    eight = forecast_match(network.with_servers({"g1": 8}), _flat(6000), with_egress=False)
    space = {p.station_id: p for p in eight.peaks}["tiny/g1"].min_space_m2_per_person
    assert space is not None and space < 0.6
    seven = forecast_match(network.with_servers({"g1": 7}), _flat(6000), with_egress=False)
    assert {p.station_id: p for p in seven.peaks}["tiny/g1"].max_wait_min > 15.0
    assert plan.bottlenecks[0].station_id == "tiny/g1"
    assert "below peak arrivals 6,000/h" in plan.bottlenecks[0].reason


def test_alert_says_when_and_how_much_with_lead_time() -> None:
    network = tiny_network(lanes=2, lane_rate=600.0, seats=6000)
    forecast = forecast_match(network, _flat(6000), with_egress=False)
    alerts = alerts_for(forecast, as_of=forecast.start)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.severity == "critical"
    # Overload from 17:30 (kick-off 19:00 - 90 min); queue grows at 4,800/h: the last arrival
    # waits 30 min once the queue is 600 persons, i.e. after 7.5 min: 17:37:30.
    assert alert.message.startswith(
        "Gate 1: arrivals exceed capacity from 17:30, wait passes 30 min at 17:3"
    )
    assert "queue needs 2,880 m²" in alert.message
    assert alert.lead_minutes == pytest.approx(157.5, abs=0.2)
    assert alert.to_dict()["wait_passes_at"].startswith("2022-11-20T17:37")
