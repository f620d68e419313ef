from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import pytest
from crowd_factories import KICKOFF, tiny_network

from opsroom.crowd.demand import ArrivalProfile, Demand
from opsroom.crowd.forecast import forecast_match
from opsroom.crowd.nowcast import GateCount, nowcast
from opsroom.errors import InvalidInputError

PROFILE = ArrivalProfile(edges_min=(-120, -60, 0), shares=(0.5, 0.5), source="user")


def _counts(
    forecast_run_start: datetime, run: object, checkpoint: str, until: datetime, every_min: int = 5
) -> list[GateCount]:
    counts = []
    row = run.graph.index(f"tiny/{checkpoint}")  # type: ignore[attr-defined]
    departures = run.departures[row]  # type: ignore[attr-defined]
    t0 = forecast_run_start
    while t0 + timedelta(minutes=every_min) <= until:
        t1 = t0 + timedelta(minutes=every_min)
        i0 = round((t0 - forecast_run_start).total_seconds() / 10)
        i1 = round((t1 - forecast_run_start).total_seconds() / 10)
        counts.append(
            GateCount(
                checkpoint_id=checkpoint,
                start=t0,
                end=t1,
                count=float(departures[i1] - departures[i0]),
            )
        )
        t0 = t1
    return counts


def test_nowcast_recovers_a_slow_gate_and_forecasts_its_wait() -> None:
    plan = tiny_network(gates=2, lanes=6, lane_rate=600.0, seats=12_000)
    demand = Demand(attendance=12_000, kickoff=KICKOFF, profile=PROFILE)
    # What really happens: gate 1 runs 3 lanes, not 6.
    truth = forecast_match(plan.with_servers({"g1": 3}), demand, with_egress=False)
    as_of = KICKOFF - timedelta(minutes=90)
    counts = _counts(truth.start, truth.run, "g1", as_of) + _counts(
        truth.start, truth.run, "g2", as_of
    )
    result = nowcast(plan, demand, counts, as_of=as_of)
    by_id = {c.checkpoint_id: c for c in result.checkpoints}
    assert by_id["g1"].capacity_per_h == pytest.approx(1800.0, rel=0.01)
    assert by_id["g1"].capacity_source.startswith("observed")
    assert by_id["g2"].capacity_source == "plan"
    assert result.arrival_factor == pytest.approx(1.0, abs=0.02)
    true_peak = {p.station_id: p for p in truth.peaks}["tiny/g1"]
    assert by_id["g1"].max_wait_min_ahead == pytest.approx(true_peak.max_wait_min, rel=0.02)
    assert true_peak.max_wait_min > 30
    assert result.alerts and result.alerts[0].station_id == "tiny/g1"
    # The queue grows at 3,000 - 1,800 = 1,200/h from 17:00; the wait passes 30 min once 900
    # wait (17:45), 15 minutes after the nowcast at 17:30.
    assert result.alerts[0].lead_minutes == pytest.approx(15.0, abs=0.2)
    json.dumps(result.to_dict())


def test_nowcast_sees_early_arrivals() -> None:
    plan = tiny_network(lanes=20, lane_rate=600.0, seats=8000)
    demand = Demand(attendance=8000, kickoff=KICKOFF, profile=PROFILE)
    early = ArrivalProfile(edges_min=(-120, -60, 0), shares=(0.65, 0.35), source="user")
    truth = forecast_match(
        plan, Demand(attendance=8000, kickoff=KICKOFF, profile=early), with_egress=False
    )
    as_of = KICKOFF - timedelta(minutes=70)
    result = nowcast(plan, demand, _counts(truth.start, truth.run, "g1", as_of), as_of=as_of)
    assert result.arrival_factor == pytest.approx(1.3, rel=0.03)
    assert np.isfinite(result.checkpoints[0].forecast_so_far)


def test_nowcast_rejects_bad_counts() -> None:
    plan = tiny_network()
    demand = Demand(attendance=100, kickoff=KICKOFF)
    with pytest.raises(InvalidInputError) as exc:
        GateCount(
            checkpoint_id="g1",
            start=datetime(2022, 11, 20, 17, 0),
            end=datetime(2022, 11, 20, 17, 5),
            count=3,
        )
    assert {p.field for p in exc.value.problems} == {"start", "end"}
    with pytest.raises(InvalidInputError, match="unknown checkpoint"):
        nowcast(
            plan,
            demand,
            [
                GateCount(
                    checkpoint_id="zz", start=KICKOFF, end=KICKOFF + timedelta(minutes=1), count=1
                )
            ],
            as_of=KICKOFF,
        )
    with pytest.raises(InvalidInputError, match="time zone"):
        nowcast(plan, demand, [], as_of=datetime(2022, 11, 20, 18, 0))


def test_counts_from_timestamps() -> None:
    from opsroom.crowd.nowcast import counts_from_timestamps

    start = KICKOFF - timedelta(minutes=10)
    scans = [start + timedelta(seconds=s) for s in (5, 30, 61, 119, 120, 600, 700)]
    counts = counts_from_timestamps("g1", scans, start=start, end=KICKOFF, interval_s=60)
    assert len(counts) == 10
    assert [c.count for c in counts[:3]] == [2.0, 2.0, 1.0]
    assert sum(c.count for c in counts) == 5  # 600 s and 700 s fall outside the window
    with pytest.raises(InvalidInputError):
        counts_from_timestamps("g1", [datetime(2022, 11, 20, 18, 0)], start=start, end=KICKOFF)
