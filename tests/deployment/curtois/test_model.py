"""A neighbourhood over two separate windows of days: its optimum is the exhaustive optimum over
the rosters that keep every cell outside the windows, and the search's kind that builds such
neighbourhoods keeps every rule. The kind that frees everyone around a shortfall holds the whole
weekend the shortfall falls on, and keeps every rule too."""

from __future__ import annotations

import functools
import itertools
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from opsroom.deployment.curtois.check import Assignment, check_solution
from opsroom.deployment.curtois.instance import Instance, read_instance
from opsroom.deployment.curtois.model import OFF, Neighbourhood, Roster, build_submodel
from opsroom.deployment.curtois.neighbourhoods import AROUND, PAIRED, pick
from opsroom.deployment.curtois.search import Scorer
from opsroom.deployment.curtois.solve import solve_instance, to_assignments
from opsroom.errors import InfeasibleError
from tests.deployment.curtois.test_solve import tiny_instances


def _roster(instance: Instance, assignments: tuple[Assignment, ...]) -> Roster:
    index = {s.id: e for e, s in enumerate(instance.staff)}
    roster = [[OFF] * instance.horizon for _ in instance.staff]
    for a in assignments:
        roster[index[a.employee]][a.day] = instance.shift_index(a.shift)
    return roster


def _best_keeping_the_rest(instance: Instance, roster: Roster, days: tuple[int, ...]) -> int:
    cells = [(e, d) for e in range(len(instance.staff)) for d in days]
    best: int | None = None
    for values in itertools.product([OFF, *range(len(instance.shifts))], repeat=len(cells)):
        candidate = [list(row) for row in roster]
        for (e, d), v in zip(cells, values, strict=True):
            candidate[e][d] = v
        report = check_solution(instance, to_assignments(instance, candidate))
        if report.feasible and (best is None or report.objective < best):
            best = report.objective
    assert best is not None  # the current roster itself is one of them
    return best


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances(), st.data())
def test_two_window_neighbourhood_is_exact(instance: Instance, data: st.DataObject) -> None:
    try:
        start = solve_instance(instance, time_limit=2.0, workers=1)
    except InfeasibleError:
        return
    roster = _roster(instance, start.assignments)
    first = data.draw(st.integers(0, 4))
    last = first + data.draw(st.integers(0, 1))
    other = data.draw(st.integers(last + 1, instance.horizon - 1))
    neighbourhood = Neighbourhood(
        employees=tuple(range(len(instance.staff))),
        first_day=first,
        last_day=last,
        also=(other, min(instance.horizon - 1, other + data.draw(st.integers(0, 1)))),
    )
    sub = build_submodel(instance, roster, neighbourhood)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(sub.model) == cp_model.OPTIMAL
    result = sub.read(solver, roster)
    report = check_solution(instance, to_assignments(instance, result))
    assert report.violations == ()
    for e, row in enumerate(result):
        for d, v in enumerate(row):
            if d not in neighbourhood.days:
                assert v == roster[e][d]
    assert report.objective == _best_keeping_the_rest(instance, roster, neighbourhood.days)


def test_paired_windows_aim_at_a_shortfall_and_keep_every_rule(shared_data: Path) -> None:
    instance, roster = _instance15_solved(shared_data)
    scorer = Scorer(instance, roster)
    shortfalls = scorer.shortfalls()
    assert shortfalls  # Instance15 always leaves nights short (see the capacity bound)
    rng = random.Random(4)
    for _ in range(5):
        neighbourhood = pick(instance, rng, PAIRED, 800, roster, shortfalls, scorer.excess())
        assert neighbourhood.also is not None
        assert any(d in neighbourhood.days for d, _, _ in shortfalls)
        _assert_solved_within_the_rules(instance, roster, neighbourhood, scorer.value)


@pytest.mark.parametrize("target", [100, 1_000, 3_000])  # 4, 7 and 22 of Instance15's 42 days
def test_window_around_a_shortfall_frees_everyone_over_its_whole_weekend(
    shared_data: Path, target: int
) -> None:
    instance = _instance15(shared_data)
    roster: Roster = [[OFF] * instance.horizon for _ in instance.staff]
    rng = random.Random(0)
    for day in range(instance.horizon):
        whole = {day, day + 1} if day % 7 == 5 else {day - 1, day} if day % 7 == 6 else {day}
        for _ in range(12):  # the window's place around the day is drawn
            neighbourhood = pick(instance, rng, AROUND, target, roster, [(day, 0, 100)], [])
            assert neighbourhood.employees == tuple(range(len(instance.staff)))
            assert neighbourhood.also is None
            days = set(neighbourhood.days)
            assert len(days) >= 4
            assert 0 <= neighbourhood.first_day <= neighbourhood.last_day < instance.horizon
            assert whole <= days


def test_window_around_a_shortfall_keeps_every_rule_and_never_worsens(shared_data: Path) -> None:
    instance, roster = _instance15_solved(shared_data)
    scorer = Scorer(instance, roster)
    shortfalls = scorer.shortfalls()
    assert shortfalls
    rng = random.Random(5)
    for _ in range(3):
        neighbourhood = pick(instance, rng, AROUND, 400, roster, shortfalls, [])
        assert any(d in neighbourhood.days for d, _, _ in shortfalls)
        _assert_solved_within_the_rules(instance, roster, neighbourhood, scorer.value)


def _assert_solved_within_the_rules(
    instance: Instance, roster: Roster, neighbourhood: Neighbourhood, value: int
) -> None:
    """``neighbourhood`` solved by CP-SAT gives a roster that keeps every rule and is no worse
    than ``value`` (it starts from the current roster as a hint)."""
    sub = build_submodel(instance, roster, neighbourhood)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    assert solver.solve(sub.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    candidate = sub.read(solver, roster)
    report = check_solution(instance, to_assignments(instance, candidate))
    assert report.violations == ()
    assert report.objective <= value


@functools.cache
def _read(path: Path) -> Instance:
    return read_instance(path)


def _instance15(shared_data: Path) -> Instance:
    return _read(shared_data / "roster" / "Instance15.txt")


@functools.cache
def _solved(path: Path) -> tuple[tuple[int, ...], ...]:
    instance = _read(path)
    start = solve_instance(instance, time_limit=5.0, workers=1, seed=2)
    return tuple(tuple(row) for row in _roster(instance, start.assignments))


def _instance15_solved(shared_data: Path) -> tuple[Instance, Roster]:
    """Instance15 and a roster of it solved for 5 s (solved once, a fresh copy each call)."""
    path = shared_data / "roster" / "Instance15.txt"
    return _read(path), [list(row) for row in _solved(path)]
