from __future__ import annotations

from datetime import date

import pytest
from crowd_factories import KICKOFF, tiny_network

from opsroom.crowd import figures
from opsroom.crowd.builder import build_venue_network
from opsroom.crowd.demand import ArrivalProfile, Closure, Demand
from opsroom.crowd.forecast import forecast_egress, forecast_match, forecast_matches
from opsroom.errors import InvalidInputError
from opsroom.scenario import load_scenario


def _flat(persons: int, start: float = -60, minutes: float = 30) -> Demand:
    profile = ArrivalProfile(edges_min=(start, start + minutes), shares=(1.0,), source="user")
    return Demand(attendance=persons, kickoff=KICKOFF, profile=profile)


def test_green_guide_egress_arithmetic_is_exact() -> None:
    # 10,000 seats, exits 20 m of stairs at 66 /m/min: 1,320/min, so 7.58 min out of the stands.
    network = tiny_network(seats=10_000)
    egress = forecast_egress(network, _flat(10_000), step_s=1.0)
    sector = egress.sectors[0]
    assert sector.stands_clear_min == pytest.approx(10_000 / (20 * 66), abs=1 / 60)
    assert sector.meets_8_minutes
    # The platform takes 1,000 every 120 s: 10,000 leave in 20 min after the first arrive.
    assert egress.platform_clear_min is not None
    assert egress.platform_clear_min == pytest.approx(20.0, abs=0.5)
    assert egress.all_clear_min >= egress.platform_clear_min


def test_sector_over_the_8_minute_rule_is_flagged() -> None:
    network = tiny_network(seats=12_000)
    egress = forecast_egress(network, _flat(12_000))
    assert egress.sectors[0].stands_clear_min > figures.EGRESS_LIMIT_MINUTES
    assert not egress.sectors[0].meets_8_minutes


def test_closure_window_builds_a_queue_and_whole_match_closure_reroutes() -> None:
    network = tiny_network(gates=2, lanes=10)
    base = forecast_match(network, _flat(4000), with_egress=False)
    shut = forecast_match(
        network,
        Demand(
            attendance=4000,
            kickoff=KICKOFF,
            profile=_flat(1).profile,
            closures=(Closure(checkpoint_id="g1", start_min=-50, end_min=-40),),
        ),
        with_egress=False,
    )
    peak = {p.station_id: p for p in base.peaks}
    peak_shut = {p.station_id: p for p in shut.peaks}
    assert peak["tiny/g1"].max_queue < 1
    # The first fan after the shutter waits the 10 minutes (read on the 10 s grid).
    assert peak_shut["tiny/g1"].max_wait_min == pytest.approx(10.0, abs=10 / 60)
    with pytest.raises(InvalidInputError, match="no route left"):
        forecast_match(
            network,
            Demand(attendance=10, kickoff=KICKOFF, closures=(Closure(checkpoint_id="g1"),)),
        )


def test_a_whole_qatar_day_conserves_every_fan() -> None:
    scenario = load_scenario("qatar2022")
    matches = scenario.matches_on(date(2022, 11, 26))
    assert len(matches) == 4
    items = []
    for match in matches:
        network = build_venue_network(scenario, match.venue_id)
        demand = Demand(attendance=scenario.venue(match.venue_id).capacity, kickoff=match.kickoff)
        items.append((network, demand, match.id))
    day = forecast_matches(items, with_egress=False)
    assert [f.match_id for f in day] == [m.id for m in matches]
    run = day[0].run
    expected = sum(scenario.venue(m.venue_id).capacity for m in matches)
    assert run.sink_arrivals[:, -1].sum() == pytest.approx(expected, rel=1e-6)
    for forecast in day:
        assert all(s.filled_at is not None for s in forecast.sectors)
        assert all(
            s.filled_at <= forecast.kickoff.replace(hour=23, minute=59)
            for s in forecast.sectors
            if s.filled_at
        )
    # Same result alone as inside the day.
    alone = forecast_matches([items[2]], with_egress=False)[0]
    for a, b in zip(alone.peaks, day[2].peaks, strict=True):
        assert a.max_queue == pytest.approx(b.max_queue, abs=1e-6)
