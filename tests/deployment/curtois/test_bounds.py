"""The capacity bound: never above the optimum, exact where capacity alone decides, and below
every best-known objective of the benchmark."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from opsroom.deployment.curtois.bounds import capacity_bound, type_capacity
from opsroom.deployment.curtois.instance import Instance, parse_instance, read_instance
from opsroom.deployment.curtois.solve import solve_instance
from tests.deployment.curtois.test_solve import exhaustive_optimum, tiny_instances


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_capacity_bound_never_passes_the_exhaustive_optimum(instance: Instance) -> None:
    optimum = exhaustive_optimum(instance)
    if optimum is not None:
        assert capacity_bound(instance) <= optimum


SCARCE_NIGHTS = """
SECTION_HORIZON
7
SECTION_SHIFTS
D,480,
N,600,D
SECTION_STAFF
A,D=7|N=1,4800,0,5,1,1,2
B,D=7|N=2,4800,0,5,1,1,2
SECTION_DAYS_OFF
A,6
B,6
SECTION_SHIFT_ON_REQUESTS
A,6,D,3
A,2,D,2
SECTION_SHIFT_OFF_REQUESTS
SECTION_COVER
0,N,1,100,1
1,N,1,100,1
2,N,1,100,1
3,N,1,100,1
4,N,0,100,1
5,N,1,50,1
6,N,1,100,1
0,D,0,100,1
1,D,0,100,1
2,D,0,100,1
3,D,0,100,1
4,D,0,100,1
5,D,0,100,1
6,D,0,100,1
"""


def test_scarce_shift_type_is_paid_at_its_cheapest_cells() -> None:
    instance = parse_instance(SCARCE_NIGHTS, name="scarce")
    assert type_capacity(instance, instance.staff[0], 1) == 1
    assert type_capacity(instance, instance.staff[1], 1) == 2
    # Six nights wanted: day 6 nobody can work (both off, 100); of the five others, the two
    # employees work three at most, and the cheapest two left short are day 5 (50) and one of
    # 100. A's on-request on its day off is paid by every roster (3); the one on day 2 is not.
    assert capacity_bound(instance) == 100 + 50 + 100 + 3
    # CP-SAT solves this small model whole and optimally: the bound is not above it.
    assert capacity_bound(instance) <= solve_instance(instance, time_limit=10).objective


def test_bound_is_below_every_best_known_objective(shared_data: Path) -> None:
    folder = shared_data / "roster"
    with (folder / "best_known.csv").open(encoding="utf-8") as handle:
        best = {row["instance"]: int(row["best_known"]) for row in csv.DictReader(handle)}
    bounds = {name: capacity_bound(read_instance(folder / f"{name}.txt")) for name in sorted(best)}
    assert all(bounds[name] <= best[name] for name in best)
    # Where one shift type is scarce, the bound is most of the objective.
    assert bounds["Instance8"] == 1200
    assert bounds["Instance15"] == 3600
    # Where the weekends are, too: Instance19's 40 employees may work 258 weekends, and 26
    # weekend shifts stay short; Instance3's bound (1,000) is one below its best known.
    assert bounds["Instance19"] == 2600
    assert bounds["Instance3"] == 1000
    # Instance13 wants 2,160 minutes more than its employees may work: three 720-minute shifts.
    assert bounds["Instance13"] == 300


def _one_shift_week(staff: list[str], cover: list[int]) -> Instance:
    """A week of one 480-minute shift type; ``staff`` lines as in the format, ``cover`` the
    requirement of each day (weight 100 under, 1 over)."""
    lines = ["SECTION_HORIZON", "7", "SECTION_SHIFTS", "D,480,", "SECTION_STAFF", *staff]
    lines += ["SECTION_COVER", *(f"{d},D,{need},100,1" for d, need in enumerate(cover))]
    return parse_instance("\n".join(lines), name="week")


def test_weekends_all_employees_may_work_bound_the_weekend_cover() -> None:
    # Two employees wanted on Saturday and Sunday; one may work no weekend, the other one.
    instance = _one_shift_week(
        ["A,D=7,4800,0,7,1,1,1", "B,D=7,4800,0,7,1,1,0"], [0, 0, 0, 0, 0, 2, 2]
    )
    assert capacity_bound(instance) == 200
    assert exhaustive_optimum(instance) == 200


def test_minutes_all_employees_may_work_bound_the_cover() -> None:
    # Four shifts of 480 minutes wanted; the one employee may work 960 minutes.
    instance = _one_shift_week(["A,D=7,960,0,7,1,1,1"], [1, 1, 1, 1, 0, 0, 0])
    assert capacity_bound(instance) == 200
    assert exhaustive_optimum(instance) == 200


def test_results_carry_the_capacity_bound(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance15.txt")
    result = solve_instance(instance, time_limit=8, seed=0)
    assert result.bound is not None and result.bound >= 3600
    assert result.objective >= result.bound
