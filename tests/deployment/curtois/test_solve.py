"""The solver against an exhaustive search on tiny instances, and on public instances."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsroom.deployment.curtois.check import Assignment, check_solution
from opsroom.deployment.curtois.instance import Instance, parse_instance, read_instance
from opsroom.deployment.curtois.solve import solve_instance
from opsroom.errors import InfeasibleError


@st.composite
def tiny_instances(draw: st.DrawFn) -> Instance:
    """1-2 employees, 7 days, 1-2 shift types: small enough to enumerate every roster."""
    horizon = 7
    n_shifts = draw(st.integers(1, 2))
    n_staff = 1 if n_shifts == 2 else draw(st.integers(1, 2))
    shift_ids = ["D", "N"][:n_shifts]
    lines = ["SECTION_HORIZON", str(horizon), "SECTION_SHIFTS"]
    for s in shift_ids:
        forbidden = "D" if s == "N" and draw(st.booleans()) else ""
        lines.append(f"{s},{draw(st.sampled_from([480, 600]))},{forbidden}")
    lines.append("SECTION_STAFF")
    for e in range(n_staff):
        limits = "|".join(f"{s}={draw(st.integers(0, 7))}" for s in shift_ids)
        max_minutes = draw(st.integers(1000, 4200))
        min_minutes = draw(st.integers(0, max_minutes // 2))
        lines.append(
            f"E{e},{limits},{max_minutes},{min_minutes},{draw(st.integers(2, 5))},"
            f"{draw(st.integers(1, 3))},{draw(st.integers(1, 2))},{draw(st.integers(0, 1))}"
        )
    lines.append("SECTION_DAYS_OFF")
    for e in range(n_staff):
        lines.append(f"E{e},{draw(st.integers(0, horizon - 1))}")
    lines.append("SECTION_SHIFT_ON_REQUESTS")
    for e in range(n_staff):
        for _ in range(draw(st.integers(0, 2))):
            day, shift = draw(st.integers(0, horizon - 1)), draw(st.sampled_from(shift_ids))
            lines.append(f"E{e},{day},{shift},{draw(st.integers(1, 3))}")
    lines.append("SECTION_SHIFT_OFF_REQUESTS")
    lines.append("SECTION_COVER")
    for day in range(horizon):
        for s in shift_ids:
            lines.append(f"{day},{s},{draw(st.integers(0, 2))},{draw(st.integers(1, 100))},1")
    return parse_instance("\n".join(lines), name="tiny")


def exhaustive_optimum(instance: Instance) -> int | None:
    choices = [None, *(s.id for s in instance.shifts)]
    cells = [(e.id, d) for e in instance.staff for d in range(instance.horizon)]
    best: int | None = None
    for values in itertools.product(choices, repeat=len(cells)):
        roster = [
            Assignment(employee=e, day=d, shift=v)
            for (e, d), v in zip(cells, values, strict=True)
            if v is not None
        ]
        report = check_solution(instance, roster)
        if report.feasible and (best is None or report.objective < best):
            best = report.objective
    return best


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_solver_finds_the_exhaustive_optimum_and_breaks_no_rule(instance: Instance) -> None:
    optimum = exhaustive_optimum(instance)
    if optimum is None:
        with pytest.raises(InfeasibleError):
            solve_instance(instance, time_limit=2.0, workers=1)
        return
    result = solve_instance(instance, time_limit=5.0, workers=1)
    assert check_solution(instance, result.assignments).violations == ()
    assert result.objective == optimum


def test_neighbourhood_search_keeps_every_rule(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance5.txt")
    result = solve_instance(instance, time_limit=3.0, workers=1, seed=3)
    assert result.method in ("lns", "colgen+lns", "anneal+lns", "anneal+colgen+lns")
    report = check_solution(instance, result.assignments)
    assert report.violations == ()
    assert report.objective == result.objective
    if result.bound is not None:
        assert result.bound <= 1143 <= result.objective  # best known, proved optimal


def test_two_workers_search_in_parallel_and_keep_every_rule(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance9.txt")
    result = solve_instance(instance, time_limit=4.0, workers=2, seed=5)
    report = check_solution(instance, result.assignments)
    assert report.violations == ()
    assert report.objective == result.objective


def test_long_horizon_instance_gets_a_feasible_start(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance16.txt")
    result = solve_instance(instance, time_limit=6.0, workers=1, seed=1)
    assert check_solution(instance, result.assignments).violations == ()
