"""Solve a Curtois instance: CP-SAT on the whole model when it is small; otherwise a first roster,
simulated annealing over whole rosters (:mod:`.anneal`), column generation where the instance is
small enough for it (:mod:`.colgen`), and a large-neighbourhood search (LNS) with CP-SAT for the
rest of the time. Above ``COLGEN_CELLS`` the first roster comes from annealing the empty roster,
CP-SAT rebuilding only the rows it leaves breaking a rule; below, from CP-SAT best responses.

Why decompose: every hard rule of the benchmark concerns one employee; only the cover terms of the
objective tie employees together. So a roster can be built employee batch by employee batch (each
batch sees the cover left by those before it) and then improved by freeing a few employees over the
whole horizon, or everyone over a window of days, or some over two windows (one around a shortfall,
one around a day worked beyond need), while the rest stays fixed. Each neighbourhood is solved by
CP-SAT starting from the current roster (as a hint), so the objective never gets worse, and every
intermediate roster is feasible.

The sizes below are tuned on this benchmark; they are defaults, not laws:

- ``MONOLITHIC_CELLS``: models up to this many (employee, day, shift) cells are solved whole.
- each neighbourhood is solved by one CP-SAT worker with ``linearization_level = 2`` and at most
  ``_SUB_TIME_LIMIT`` seconds: on these models it proves small neighbourhoods optimal several
  times faster than the default two-worker portfolio (Instance10, 30 s: 4,873 against 5,927).
- ``NEIGHBOURHOOD_CELLS``: starting size of an LNS neighbourhood, adapted as it runs (grows by
  25 % when a neighbourhood is solved to optimality, shrinks by 20 % when it times out).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from opsroom.deployment.curtois.anneal import (
    T_FIRST,
    T_LAST,
    MEET,
    AnnealResult,
    Arrays,
    anneal_chains,
    instance_arrays,
)
from opsroom.deployment.curtois.bounds import capacity_bound
from opsroom.deployment.curtois.check import Assignment, check_solution
from opsroom.deployment.curtois.colgen import ColumnGeneration, column_submodel
from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import (
    OFF,
    Neighbourhood,
    Roster,
    SubModel,
    build_submodel,
    request_penalty,
    requests_by_employee,
)
from opsroom.deployment.curtois.neighbourhoods import (
    KINDS,
    PAIRED,
    SCHEDULES,
    TARGETED,
    cells,
    pick,
    pick_by_schedules,
)
from opsroom.errors import InfeasibleError

__all__ = ["MONOLITHIC_CELLS", "NEIGHBOURHOOD_CELLS", "SolveResult", "solve_instance"]

MONOLITHIC_CELLS = 600
NEIGHBOURHOOD_CELLS = 400
_SUB_TIME_LIMIT = 1.0  # seconds per neighbourhood at most
COLGEN_CELLS = 20_000
_COLGEN_SHARE = 0.35  # of the time limit at most, for column generation
_MASTER_SHARE = 0.25  # of the time limit at most, for the integer programme over its schedules
_CONSTRUCTION_SHARE = 0.15  # of the time limit, for the best responses of the first roster
_SWEEP_SHARE = 0.1  # of the time limit at most, for re-solving everyone once the roster is whole
_SWEEPS = 3
_ANNEAL_SHARE = 0.5  # of the time left after the first roster, on instances above COLGEN_CELLS
_SMALL_ANNEAL_SHARE = 0.4  # of the time left after the first roster, on the other instances
_ANNEAL_LONG_SHARE = 0.85  # of the time limit, for annealing from the empty roster on those ...
_ANNEAL_FIRST_SHARE = 0.35  # ... given up at this share if no chain has a feasible roster by then
_COOL = (3.0, 0.1)  # temperatures of that annealing from the empty roster


@dataclass(frozen=True, kw_only=True)
class SolveResult:
    """A solved instance: the roster, its objective (as the checker counts it) and how it went."""

    instance: str
    assignments: tuple[Assignment, ...]
    objective: int
    violations: tuple[str, ...]
    method: str
    neighbourhoods: int
    improvements: int
    seconds: float
    bound: int | None = None
    """A proved lower bound on the optimum: the larger of the capacity bound and column
    generation's, when either is above zero."""

    @property
    def gap(self) -> float | None:
        """``(objective - bound) / objective``: how far from optimal the roster can be."""
        if self.bound is None:
            return None
        return max(0, self.objective - self.bound) / max(1, self.objective)


Progress = Callable[[float, int], None]  # (elapsed seconds, current objective)


def _solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def to_assignments(instance: Instance, roster: Roster) -> tuple[Assignment, ...]:
    return tuple(
        Assignment(employee=instance.staff[e].id, day=d, shift=instance.shifts[s].id)
        for e, days in enumerate(roster)
        for d, s in enumerate(days)
        if s != OFF
    )


def solve_instance(
    instance: Instance,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    progress: Progress | None = None,
) -> SolveResult:
    """Find the best roster for ``instance`` within ``time_limit`` seconds.

    ``workers`` is both the CP-SAT portfolio size of a monolithic solve and the number of
    neighbourhoods solved at once by the search. Raises :class:`InfeasibleError` when no feasible
    roster is found in time (never a partial one).
    """
    start = time.monotonic()
    deadline = start + time_limit
    rng = random.Random(seed)
    n_staff = len(instance.staff)
    everyone = list(range(n_staff))
    empty: Roster = [[OFF] * instance.horizon for _ in everyone]

    if cells(instance, everyone, instance.horizon) <= MONOLITHIC_CELLS:
        whole = Neighbourhood(employees=tuple(everyone), first_day=0, last_day=instance.horizon - 1)
        sub = build_submodel(instance, empty, whole, hint=False)
        solver = _solver(deadline - time.monotonic(), workers, seed)
        status = solver.solve(sub.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise InfeasibleError(f"{instance.name}: no feasible roster found in {time_limit} s")
        return _result(instance, sub.read(solver, empty), "monolithic", 1, 1, start)

    large = cells(instance, everyone, instance.horizon) > COLGEN_CELLS
    if large:
        roster = _construct_and_anneal(instance, empty, start, deadline, workers, rng)
        method = "anneal+lns"
    else:
        roster = _construct(instance, empty, start, deadline, workers, rng)
        method = "lns"
    search = _Search(instance, roster, start, progress)
    search.bound = capacity_bound(instance) or None
    if progress:
        progress(time.monotonic() - start, search.best)
    seeds = [random.Random(rng.randrange(1 << 30)) for _ in range(max(1, workers))]
    if not large:
        # Annealing first, from the first roster (so a feasible roster is always at hand).
        if deadline - time.monotonic() > 1.0:
            annealed = _anneal(
                instance_arrays(instance),
                roster,
                _SMALL_ANNEAL_SHARE * (deadline - time.monotonic()),
                workers,
                rng,
                meet=(),
            )
            if annealed.roster is not None and search.replace(annealed.roster):
                method = "anneal+lns"
        columns = ColumnGeneration(instance, search.roster, workers=workers)
        columns.run(min(deadline, time.monotonic() + _COLGEN_SHARE * time_limit))
        if columns.bound is not None:
            search.bound = max(columns.bound, search.bound or 0)
        search.columns = columns
        if columns.converged and _MASTER_SHARE > 0:
            remaining = deadline - time.monotonic()
            better = columns.integer_roster(
                search.roster, min(_MASTER_SHARE * time_limit, remaining)
            )
            if better is not None and search.replace(better):
                method = "colgen+lns" if method == "lns" else "anneal+colgen+lns"
    threads = [
        threading.Thread(target=search.run, args=(deadline, seed), daemon=True)
        for seed in seeds[1:]
    ]
    for thread in threads:
        thread.start()
    search.run(deadline, seeds[0])
    for thread in threads:
        thread.join()
    if search.error is not None:
        raise search.error
    return _result(
        instance, search.roster, method, search.tried, search.improved, start, bound=search.bound
    )


class _Scorer:
    """The objective of a roster, kept up to date as employees' rows change.

    Cover counts per (day, shift) and each employee's request penalty are stored, so the effect
    of replacing a few rows is computed from those rows alone (the checker recomputes the final
    roster's objective independently).
    """

    def __init__(self, instance: Instance, roster: Roster) -> None:
        n_shifts = len(instance.shifts)
        self.need = [[0] * n_shifts for _ in range(instance.horizon)]
        self.under = [[0] * n_shifts for _ in range(instance.horizon)]
        self.over = [[0] * n_shifts for _ in range(instance.horizon)]
        for c in instance.cover:
            s = instance.shift_index(c.shift)
            self.need[c.day][s] = c.requirement
            self.under[c.day][s] = c.weight_under
            self.over[c.day][s] = c.weight_over
        self.requests = requests_by_employee(instance)
        self.count = [[0] * n_shifts for _ in range(instance.horizon)]
        for row in roster:
            for d, s in enumerate(row):
                if s != OFF:
                    self.count[d][s] += 1
        self.value = sum(self._request_cost(e, row) for e, row in enumerate(roster)) + sum(
            self._cover_cost(d, s, self.count[d][s])
            for d in range(instance.horizon)
            for s in range(n_shifts)
        )

    def _request_cost(self, e: int, row: list[int]) -> int:
        return request_penalty(self.requests[e], row)

    def _cover_cost(self, d: int, s: int, have: int) -> int:
        need = self.need[d][s]
        if have < need:
            return (need - have) * self.under[d][s]
        return (have - need) * self.over[d][s]

    def delta(self, old: dict[int, list[int]], new: dict[int, list[int]]) -> int:
        """The change of the objective if each row ``old[e]`` is replaced by ``new[e]``."""
        change: dict[tuple[int, int], int] = {}
        total = 0
        for e, row in new.items():
            before = old[e]
            total += self._request_cost(e, row) - self._request_cost(e, before)
            for d, (a, b) in enumerate(zip(before, row, strict=True)):
                if a == b:
                    continue
                if a != OFF:
                    change[(d, a)] = change.get((d, a), 0) - 1
                if b != OFF:
                    change[(d, b)] = change.get((d, b), 0) + 1
        for (d, s), k in change.items():
            have = self.count[d][s]
            total += self._cover_cost(d, s, have + k) - self._cover_cost(d, s, have)
        return total

    def apply(self, old: dict[int, list[int]], new: dict[int, list[int]], delta: int) -> None:
        for e, row in new.items():
            for d, (a, b) in enumerate(zip(old[e], row, strict=True)):
                if a != b:
                    if a != OFF:
                        self.count[d][a] -= 1
                    if b != OFF:
                        self.count[d][b] += 1
        self.value += delta

    def excess(self) -> list[tuple[int, int]]:
        """``(day, shifts worked beyond need)`` of every day with any."""
        result = []
        for d, row in enumerate(self.need):
            extra = sum(max(0, self.count[d][s] - need) for s, need in enumerate(row))
            if extra:
                result.append((d, extra))
        return result

    def shortfalls(self) -> list[tuple[int, int, int]]:
        """``(day, shift, penalty)`` of every under-covered cell."""
        return [
            (d, s, (need - self.count[d][s]) * self.under[d][s])
            for d, row in enumerate(self.need)
            for s, need in enumerate(row)
            if self.count[d][s] < need
        ]


class _Search:
    """The large-neighbourhood search, shared by the threads that run it.

    Each thread copies the current roster, solves a neighbourhood of it (CP-SAT releases the
    interpreter while it solves, so threads solve in parallel) and hands back the employees'
    rows that changed. Those rows are merged into the current roster only if nobody else changed
    the same employees meanwhile (every hard rule concerns one employee, so the merged roster is
    feasible) and only if the merged objective is no worse.
    """

    def __init__(
        self,
        instance: Instance,
        roster: Roster,
        start: float,
        progress: Progress | None,
    ) -> None:
        self.instance = instance
        self.roster = [list(row) for row in roster]
        self.scorer = _Scorer(instance, roster)
        self.versions = [0] * len(roster)
        self.lock = threading.Lock()
        self.targets = [float(NEIGHBOURHOOD_CELLS)] * KINDS
        self.tried = self.improved = 0
        # What each kind of neighbourhood has gained per second of solving lately: kinds are
        # drawn in proportion to it (with a floor, so none is starved).
        self.gain = [1.0] * KINDS
        self.start = start
        self.progress = progress
        self.error: BaseException | None = None
        self.bound: int | None = None  # the search stops once the roster reaches it (optimal)
        self.columns: ColumnGeneration | None = None  # schedules to recombine, if generated

    @property
    def best(self) -> int:
        return self.scorer.value

    def replace(self, roster: Roster) -> bool:
        """Take ``roster`` (feasible) if it is better than the current one; say if it was."""
        scorer = _Scorer(self.instance, roster)
        with self.lock:
            if scorer.value >= self.scorer.value:
                return False
            self.roster = [list(row) for row in roster]
            self.scorer = scorer
            self.versions = [v + 1 for v in self.versions]
            self.improved += 1
            if self.progress:
                self.progress(time.monotonic() - self.start, scorer.value)
            return True

    def run(self, deadline: float, rng: random.Random) -> None:
        try:
            self._run(deadline, rng)
        except BaseException as exc:  # surfaced by solve_instance after the threads end
            with self.lock:
                self.error = exc

    def _run(self, deadline: float, rng: random.Random) -> None:
        instance = self.instance
        while time.monotonic() < deadline - 0.2 and self.error is None:
            if self.bound is not None and self.scorer.value <= self.bound:
                return
            with self.lock:
                snapshot = [list(row) for row in self.roster]
                versions = list(self.versions)
                weights = [max(g, 0.05) for g in self.gain]
                if self.columns is None:
                    weights[SCHEDULES] = 0.0
                kind = rng.choices(range(KINDS), weights=weights)[0]
                target = int(self.targets[kind])
                shortfalls = self.scorer.shortfalls() if kind in (TARGETED, PAIRED) else []
                excess = self.scorer.excess() if kind == PAIRED else []
            if kind == SCHEDULES and self.columns is not None:
                sub = column_submodel(
                    self.columns, snapshot, pick_by_schedules(self.columns, rng, target)
                )
            else:
                neighbourhood = pick(instance, rng, kind, target, snapshot, shortfalls, excess)
                sub = build_submodel(instance, snapshot, neighbourhood)
            remaining = deadline - time.monotonic()
            if remaining <= 0.05:
                break
            solver = _solver(min(_SUB_TIME_LIMIT, remaining), 1, rng.randrange(1 << 30))
            solver.parameters.linearization_level = 2
            began = time.monotonic()
            status = solver.solve(sub.model)
            with self.lock:
                self.tried += 1
                rate = 0.0  # objective gained per second of this neighbourhood
                if status == cp_model.OPTIMAL:
                    self.targets[kind] = min(self.targets[kind] * 1.25, 50 * NEIGHBOURHOOD_CELLS)
                else:
                    self.targets[kind] = max(self.targets[kind] * 0.8, 100.0)
                try:
                    rate = self._merge(status, solver, sub, snapshot, versions) / max(
                        0.01, time.monotonic() - began
                    )
                finally:
                    mean = sum(self.gain) / KINDS
                    self.gain[kind] = 0.8 * self.gain[kind] + 0.2 * (rate / max(mean, 1e-9))

    def _merge(
        self,
        status: cp_model.CpSolverStatus,
        solver: cp_model.CpSolver,
        sub: SubModel,
        snapshot: Roster,
        versions: list[int],
    ) -> int:
        """Merge a solved neighbourhood into the roster; return the objective gained."""
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return 0
        candidate = sub.read(solver, snapshot)
        new = {e: candidate[e] for e in sub.neighbourhood.employees if candidate[e] != snapshot[e]}
        if not new:
            return 0
        if any(self.versions[e] != versions[e] for e in new):
            return 0  # someone else changed these employees meanwhile
        old = {e: self.roster[e] for e in new}
        delta = self.scorer.delta(old, new)
        if delta > 0:
            return 0
        self.scorer.apply(old, new, delta)
        for e, row in new.items():
            self.roster[e] = row
            self.versions[e] += 1
        if delta < 0:
            self.improved += 1
            if self.progress:
                self.progress(time.monotonic() - self.start, self.scorer.value)
        return -delta


def _construct(
    instance: Instance,
    roster: Roster,
    start: float,
    deadline: float,
    workers: int,
    rng: random.Random,
    *,
    employees: list[int] | None = None,
) -> Roster:
    """Build a first feasible roster employee by employee, each seeing the cover of those before.

    Each employee first gets the schedule that best fills the cover left by those before (a
    best response, solved by CP-SAT within a small share of the time limit). When that share runs
    out before a schedule is found (long horizons, many shift types), the employee is tried with
    only shift types that never forbid one another (fewer cells, no succession rules, so CP-SAT
    finds a schedule in a fraction of a second even on 364 days) and the first schedule found is
    kept, then with every shift type and whatever time is left. The search improves it later.

    With ``employees``, only their rows are built (they must be empty), the others kept.
    """
    order = list(range(len(instance.staff))) if employees is None else list(employees)
    rng.shuffle(order)
    share = _CONSTRUCTION_SHARE * (deadline - start) / max(1, len(order))
    for e in order:
        neighbourhood = Neighbourhood(employees=(e,), first_day=0, last_day=instance.horizon - 1)
        sub = build_submodel(instance, roster, neighbourhood, hint=False)
        solver = _solver(min(share, deadline - time.monotonic()), workers, rng.randrange(1 << 30))
        status = solver.solve(sub.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            easy = _succession_free(instance, e)
            for only in ([easy] if easy else []) + [None]:
                sub = build_submodel(instance, roster, neighbourhood, hint=False, only_shifts=only)
                limit = deadline - time.monotonic()
                solver = _solver(
                    limit if only is None else min(2.0, limit), workers, rng.randrange(1 << 30)
                )
                solver.parameters.stop_after_first_solution = True
                status = solver.solve(sub.model)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    break
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise InfeasibleError(
                f"{instance.name}: no feasible schedule found in time for employee "
                f"{instance.staff[e].id}"
            )
        roster = sub.read(solver, roster)
    # Best responses again, now that everyone is placed: each employee's schedule is re-solved
    # against all the others (proved optimal in milliseconds on most instances), while that pays.
    sweep_end = time.monotonic() + _SWEEP_SHARE * (deadline - start)
    for _ in range(_SWEEPS):
        changed = False
        rng.shuffle(order)
        for e in order:
            remaining = min(sweep_end, deadline) - time.monotonic()
            if remaining <= 0.05:
                return roster
            neighbourhood = Neighbourhood(
                employees=(e,), first_day=0, last_day=instance.horizon - 1
            )
            sub = build_submodel(instance, roster, neighbourhood)
            solver = _solver(min(share, remaining), workers, rng.randrange(1 << 30))
            if solver.solve(sub.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                candidate = sub.read(solver, roster)
                changed = changed or candidate[e] != roster[e]
                roster = candidate
        if not changed:
            break
    return roster


def _construct_and_anneal(
    instance: Instance,
    empty: Roster,
    start: float,
    deadline: float,
    workers: int,
    rng: random.Random,
) -> Roster:
    """The first roster of an instance too large for column generation.

    Annealing from the empty roster (one chain per worker) for ``_ANNEAL_LONG_SHARE`` of the time
    limit, one long chain being worth more than several short ones. If no chain holds a roster
    that keeps every rule by ``_ANNEAL_FIRST_SHARE`` of the limit, the chains stop there, the rows
    of the best one that still break a rule are emptied and rebuilt by best responses (CP-SAT, as
    in :func:`_construct`), and annealing goes on from the mended roster for ``_ANNEAL_SHARE`` of
    the time left. Raises :class:`InfeasibleError` when no feasible roster is found in time."""
    arrays = instance_arrays(instance)
    limit = deadline - start
    first = _anneal(
        arrays,
        empty,
        _ANNEAL_LONG_SHARE * limit,
        workers,
        rng,
        give_up_after=_ANNEAL_FIRST_SHARE * limit,
        cool=True,
    )
    if first.roster is not None:
        return first.roster
    broken = [e for e, count in enumerate(first.last_broken) if count]
    mended = [
        [OFF] * instance.horizon if count else row
        for row, count in zip(first.last, first.last_broken, strict=True)
    ]
    roster = _construct(instance, mended, start, deadline, workers, rng, employees=broken)
    remaining = deadline - time.monotonic()
    if remaining <= 1.0:
        return roster
    better = _anneal(arrays, roster, _ANNEAL_SHARE * remaining, workers, rng)
    return roster if better.roster is None else better.roster


def _anneal(
    arrays: Arrays,
    roster: Roster,
    seconds: float,
    workers: int,
    rng: random.Random,
    *,
    give_up_after: float | None = None,
    cool: bool = False,
    meet: tuple[float, ...] = MEET,
) -> AnnealResult:
    """One annealing chain per worker from ``roster``, seeded from ``rng``; ``cool`` chains run
    between the lower temperatures ``_COOL``."""
    t_first, t_last = _COOL if cool else (T_FIRST, T_LAST)
    return anneal_chains(
        arrays,
        roster,
        seconds=max(0.1, seconds),
        seeds=[rng.randrange(1 << 30) for _ in range(max(1, workers))],
        t_first=t_first,
        t_last=t_last,
        give_up_after=give_up_after,
        meet=meet,
    )


def _succession_free(instance: Instance, employee: int) -> frozenset[int]:
    """Shift types the employee may work that never forbid one another on consecutive days,
    chosen greedily by the employee's allowance (largest first)."""
    limits = instance.staff[employee].max_shifts
    chosen: list[int] = []
    order = sorted(range(len(instance.shifts)), key=lambda i: -limits.get(instance.shifts[i].id, 0))
    for i in order:
        shift = instance.shifts[i]
        if limits.get(shift.id, 0) <= 0:
            continue
        if (
            all(
                instance.shifts[j].id not in shift.cannot_follow
                and shift.id not in instance.shifts[j].cannot_follow
                for j in chosen
            )
            and shift.id not in shift.cannot_follow
        ):
            chosen.append(i)
    return frozenset(chosen)


def _result(
    instance: Instance,
    roster: Roster,
    method: str,
    tried: int,
    improved: int,
    start: float,
    *,
    bound: int | None = None,
) -> SolveResult:
    assignments = to_assignments(instance, roster)
    report = check_solution(instance, assignments)
    return SolveResult(
        instance=instance.name,
        assignments=assignments,
        objective=report.objective,
        violations=report.violations,
        method=method,
        neighbourhoods=tried,
        improvements=improved,
        seconds=time.monotonic() - start,
        bound=bound,
    )
