"""Speed of the crowd engine: the figures issue 4 names, printed with the command that made them.

    .venv/bin/python benchmarks/crowd_speed.py            # full run (includes 5,000 people micro)
    .venv/bin/python benchmarks/crowd_speed.py --quick    # smaller micro run while developing

Targets on the 2-core reference machine: one match <= 0.2 s, a whole tournament day (4 matches,
all checkpoints, 10 s steps) <= 1 s, a nowcast update <= 50 ms. Each figure is the median of
several repetitions (wall-clock, ``time.perf_counter``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from opsroom.crowd import Demand, build_venue_network, forecast_match, forecast_matches
from opsroom.crowd.calibration import CALIBRATED_GATE
from opsroom.crowd.micro import gate_plaza_scene, run_micro
from opsroom.crowd.nowcast import GateCount, nowcast
from opsroom.crowd.planner import plan_venue
from opsroom.scenario import load_scenario


def median_seconds(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="500 people in the micro run")
    args = parser.parse_args()
    print(f"$ {sys.executable} {' '.join(sys.argv)}")
    scenario = load_scenario("qatar2022")
    match = scenario.match("M01")
    lusail = build_venue_network(scenario, "lusail")
    demand = Demand(attendance=88_966, kickoff=match.kickoff)

    one = median_seconds(lambda: forecast_match(lusail, demand, match_id="M01"), 7)
    print(f"one match (Lusail, 88,966 fans, ingress + egress, 10 s steps): {one * 1000:.0f} ms")

    day = date(2022, 11, 26)
    items = [
        (
            build_venue_network(scenario, m.venue_id),
            Demand(attendance=scenario.venue(m.venue_id).capacity, kickoff=m.kickoff),
            m.id,
        )
        for m in scenario.matches_on(day)
    ]
    ingress = median_seconds(lambda: forecast_matches(items, with_egress=False), 7)
    full = median_seconds(lambda: forecast_matches(items), 7)
    stations = forecast_matches(items, with_egress=False)[0].run.graph.size
    print(
        f"tournament day {day} ({len(items)} matches, {stations} stations, 10 s steps): "
        f"ingress {ingress * 1000:.0f} ms, with egress {full * 1000:.0f} ms"
    )

    network = lusail.with_servers({"lusail-g1": 6})
    truth = forecast_match(network, demand, with_egress=False)
    as_of = match.kickoff - timedelta(minutes=60)
    counts = []
    for checkpoint in (c for c in lusail.checkpoints if c.kind.value == "screening"):
        row = truth.run.graph.index(f"lusail/{checkpoint.id}")
        start = truth.start
        while start + timedelta(minutes=5) <= as_of:
            i0 = round((start - truth.start).total_seconds() / 10)
            i1 = i0 + 30
            counts.append(
                GateCount(
                    checkpoint_id=checkpoint.id,
                    start=start,
                    end=start + timedelta(minutes=5),
                    count=float(truth.run.departures[row, i1] - truth.run.departures[row, i0]),
                )
            )
            start += timedelta(minutes=5)
    update = median_seconds(lambda: nowcast(lusail, demand, counts, as_of=as_of), 11)
    print(
        f"nowcast update (Lusail, {len(counts)} interval counts from 8 gates): "
        f"{update * 1000:.0f} ms"
    )

    sweep = median_seconds(lambda: plan_venue(network, demand), 3)
    print(f"planner sweep (Lusail, 16 checkpoints sized by bisection): {sweep * 1000:.0f} ms")

    people = 500 if args.quick else 5000
    lanes = 10 if args.quick else 40
    scene = gate_plaza_scene(people=people, lanes=lanes)
    began = time.perf_counter()
    result = run_micro(scene, CALIBRATED_GATE, max_time_s=120.0)
    elapsed = time.perf_counter() - began
    print(
        f"JuPedSim hotspot run ({people:,} people, {lanes} screening lanes, 120 s simulated, "
        f"dt 0.05 s): {elapsed:.1f} s wall, {result.agent_steps / elapsed:,.0f} agent-steps/s; "
        f"{result.passed:,} through, flow {result.flow_per_s:.2f} /s, peak density in front "
        f"of the lanes {result.max_density_per_m2:.1f} /m², 2 m cells above 5 /m²: "
        f"{result.cells_over_5}"
    )


if __name__ == "__main__":
    main()
