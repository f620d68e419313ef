"""Column generation: its bound never passes the optimum, its rosters keep every rule; and the
search's running objective agrees with the independent checker."""

from __future__ import annotations

import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from opsroom.deployment.curtois.check import check_solution
from opsroom.deployment.curtois.colgen import TYPICAL_ROUNDS, ColumnGeneration, column_submodel
from opsroom.deployment.curtois.instance import Instance, read_instance
from opsroom.deployment.curtois.model import OFF, Roster
from opsroom.deployment.curtois.search import Scorer
from opsroom.deployment.curtois.solve import _construct, to_assignments
from tests.deployment.curtois.test_solve import exhaustive_optimum, tiny_instances


def _first_roster(instance: Instance, seconds: float = 5.0) -> Roster:
    start = time.monotonic()
    empty = [[OFF] * instance.horizon for _ in instance.staff]
    return _construct(instance, empty, start, start + seconds, 1, random.Random(0))


def _generation(path: Path) -> tuple[Instance, Roster, ColumnGeneration]:
    """The instance at ``path``, its first roster and column generation from it (two workers)."""
    instance = read_instance(path)
    first = _first_roster(instance)
    return instance, first, ColumnGeneration(instance, first, workers=2)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances())
def test_bound_never_passes_the_exhaustive_optimum(instance: Instance) -> None:
    optimum = exhaustive_optimum(instance)
    if optimum is None:
        return
    columns = ColumnGeneration(instance, _first_roster(instance))
    columns.run(time.monotonic() + 10.0)
    assert columns.converged
    assert columns.lp_value is not None and columns.lp_value <= optimum + 1e-6
    if columns.bound is not None:
        assert columns.bound <= optimum
    roster = columns.integer_roster(_first_roster(instance), 5.0)
    assert roster is not None
    report = check_solution(instance, to_assignments(instance, roster))
    assert report.violations == ()
    assert report.objective >= optimum


def test_instance5_bound_and_roster(shared_data: Path) -> None:
    instance, first, columns = _generation(shared_data / "roster" / "Instance5.txt")
    columns.run(time.monotonic() + 60.0)
    assert columns.converged
    assert columns.bound is not None
    assert 1000 < columns.bound <= 1143  # the proved optimum (schedulingbenchmarks.org)
    roster = columns.integer_roster(first, 20.0)
    assert roster is not None
    report = check_solution(instance, to_assignments(instance, roster))
    assert report.violations == ()
    assert (
        columns.bound
        <= report.objective
        <= check_solution(instance, to_assignments(instance, first)).objective
    )


def test_running_objective_matches_the_checker(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance8.txt")
    roster = _first_roster(instance)
    scorer = Scorer(instance, roster)
    assert scorer.value == check_solution(instance, to_assignments(instance, roster)).objective
    rng = random.Random(1)
    n_shifts = len(instance.shifts)
    for _ in range(30):
        # Any rows will do here: the objective is defined for every roster, feasible or not.
        changed = rng.sample(range(len(roster)), rng.randint(1, 4))
        new = {e: [rng.randrange(-1, n_shifts) for _ in range(instance.horizon)] for e in changed}
        old = {e: roster[e] for e in changed}
        delta = scorer.delta(old, new)
        scorer.apply(old, new, delta)
        for e, row in new.items():
            roster[e] = row
        expected = check_solution(instance, to_assignments(instance, roster)).objective
        assert scorer.value == expected


def test_recombining_schedules_keeps_every_rule_and_its_objective_is_the_rosters(
    shared_data: Path,
) -> None:
    instance, first, columns = _generation(shared_data / "roster" / "Instance6.txt")
    columns.run(time.monotonic() + 15.0)
    employees = list(range(0, len(instance.staff), 2))
    sub = column_submodel(columns, first, employees)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20.0
    solver.parameters.num_workers = 2
    status = solver.solve(sub.model)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster = sub.read(solver, first)
    report = check_solution(instance, to_assignments(instance, roster))
    assert report.violations == ()
    assert report.objective == round(solver.objective_value)
    assert report.objective <= check_solution(instance, to_assignments(instance, first)).objective
    assert all(roster[e] == first[e] for e in range(len(first)) if e not in employees)


def test_a_few_rounds_tell_whether_generation_would_converge_and_it_goes_on_from_them(
    shared_data: Path,
) -> None:
    *_, columns = _generation(shared_data / "roster" / "Instance5.txt")
    assert not columns.fits(1e9)  # nothing run yet: nothing to tell by
    columns.run(time.monotonic() + 60.0, rounds=1)
    assert columns.rounds == 1 and not columns.converged and columns.seconds > 0
    pace = columns.seconds  # one round so far
    assert columns.fits(pace * TYPICAL_ROUNDS + 1e-9)
    assert not columns.fits(pace * (TYPICAL_ROUNDS - 1))
    columns.run(time.monotonic() + 60.0, rounds=1)
    assert columns.rounds == 2
    columns.run(time.monotonic() + 60.0)
    assert columns.converged and columns.fits(0.0)
    assert columns.bound is not None and 1000 < columns.bound <= 1143
