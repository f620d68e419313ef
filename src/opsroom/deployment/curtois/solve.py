"""Solve a Curtois instance: CP-SAT on the whole model when it is small; otherwise a first roster,
simulated annealing over whole rosters (:mod:`.anneal`), column generation where the instance is
small enough for it (:mod:`.colgen`), and a large-neighbourhood search (LNS) with CP-SAT for the
rest of the time. Above ``COLGEN_CELLS`` the first roster comes from annealing the empty roster,
CP-SAT rebuilding only the rows it leaves breaking a rule; below, from CP-SAT best responses.

Below ``COLGEN_CELLS``, two rounds of column generation on the first roster tell whether it
would converge within its share of the limit. Where they say so on an instance above
``_SOLO_CELLS``, annealing takes ``_SMALL_ANNEAL_SHARE`` of the time left and column generation
runs after it; elsewhere (the longer horizons: Instance14, 15 and 17-19 in development runs,
where it would give up unconverged after a few seconds, and the small instances) annealing
takes ``_SOLO_ANNEAL_SHARE`` and column generation is not run again. Measured on Instance15
(60 s, seeds 0-2): 4,625, 4,522, 4,437 before, 4,264, 4,270, 4,253 with this. A chain that
ends breaking a rule has the rows breaking it rebuilt by best responses, where its roster is
better than any feasible one seen.

Why decompose: every hard rule of the benchmark concerns one employee; only the cover terms of the
objective tie employees together. So a roster can be built employee batch by employee batch (each
batch sees the cover left by those before it) and then improved by freeing a few employees over the
whole horizon, or everyone over a window of days, or some over two windows (one around a shortfall,
one around a day worked beyond need), while the rest stays fixed. Each neighbourhood is solved by
CP-SAT starting from the current roster (as a hint), so the objective never gets worse, and every
intermediate roster is feasible.

The sizes below are tuned on this benchmark; they are defaults, not laws:

- ``MONOLITHIC_CELLS``: models up to this many (employee, day, shift) cells are solved whole.
- ``COLGEN_CELLS``: instances up to this many cells get a CP-SAT first roster and column
  generation; larger ones are annealed from the empty roster.
- ``_SOLO_CELLS``: instances up to this many cells (3, 5-10, 14, 16 and 18) anneal for
  ``_SOLO_ANNEAL_SHARE`` after the probe rounds, whatever they say. Where column generation
  converged there, its integer programme seldom bettered the annealed roster, and the time it
  took was worth more to annealing: Instance8 (60 s, seeds 0-2) 1,330, 1,348 and 1,354 against
  1,373, 1,481 and 1,382; Instance7 1,066 and 1,065 against 1,079; the others no worse beyond
  the spread. Above it, on Instance12, column generation still pays (4,205 and 4,112 without it
  against 4,107). The price is the bound they report: the capacity bound, or that of the probe
  rounds where every pricing problem was proved (Instance8 1,200 against column generation's
  1,296; Instance9 none). Column generation for the bound alone after annealing (a quarter of
  the limit) gave it back but took the search's time: Instance5 1,238, Instance8 1,388, 1,385.
- ``_WARM_CELLS``: on instances up to this many cells, one of the two chains annealing the CP-SAT
  first roster starts at ``_WARM_FIRST`` instead of 10. Hot enough to leave a shift uncovered
  for a while (a shift costs 100), it finds rosters the cool chain misses where the cover is
  packed tight: on Instance8 every worker of the night shift must work their maximum of nights,
  and two cool chains left 13 shortfalls (one more than any roster must) in most runs; with one
  warm chain, 12 in every run. On larger instances it has too few moves per cell to cool
  (Instance19, two runs: 3,951 and 3,926 against 3,755 and 3,882).
- the sizes of the neighbourhood search are in :mod:`.search`.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from opsroom.deployment.curtois.anneal import (
    MEET,
    T_FIRST,
    T_LAST,
    AnnealResult,
    Arrays,
    anneal_chains,
    instance_arrays,
    roster_cost,
    temperature,
)
from opsroom.deployment.curtois.bounds import capacity_bound
from opsroom.deployment.curtois.check import Assignment, check_solution
from opsroom.deployment.curtois.colgen import TYPICAL_ROUNDS, ColumnGeneration
from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import (
    OFF,
    Neighbourhood,
    Roster,
    build_submodel,
)
from opsroom.deployment.curtois.neighbourhoods import cells
from opsroom.deployment.curtois.search import NEIGHBOURHOOD_CELLS, Progress, Search, cp_solver
from opsroom.errors import InfeasibleError

__all__ = ["MONOLITHIC_CELLS", "NEIGHBOURHOOD_CELLS", "SolveResult", "solve_instance"]

MONOLITHIC_CELLS = 600
COLGEN_CELLS = 20_000
_COLGEN_SHARE = 0.35  # of the time limit at most, for column generation
_MASTER_SHARE = 0.25  # of the time limit at most, for the integer programme over its schedules
_CONSTRUCTION_SHARE = 0.15  # of the time limit, for the best responses of the first roster
_SWEEP_SHARE = 0.1  # of the time limit at most, for re-solving everyone once the roster is whole
_SWEEPS = 3
_ANNEAL_SHARE = 0.5  # of the time left after the first roster, on instances above COLGEN_CELLS
_SMALL_ANNEAL_SHARE = 0.4  # of the time left after the first roster, on the other instances ...
_SOLO_ANNEAL_SHARE = 0.75  # ... and on those where column generation would not converge
_MEND_SECONDS = 3.0  # at most, to rebuild the rows an annealing chain ends breaking a rule in
_PROBE_ROUNDS = 2  # of column generation, to tell whether it would converge in its share
_ANNEAL_LONG_SHARE = 0.95  # of the time limit, for annealing from the empty roster on those ...
_ANNEAL_FIRST_SHARE = 0.35  # ... given up at this share if no chain has a feasible roster by then
_COOL = (3.0, 0.1)  # temperatures of that annealing from the empty roster
_WARM_FIRST = 50.0  # first temperature of one chain of two from a CP-SAT first roster, on ...
_WARM_CELLS = 5_000  # ... instances of at most this many cells
_SOLO_CELLS = 5_000  # instances of at most this many cells anneal after the probe rounds


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

    size = cells(instance, everyone, instance.horizon)
    if size <= MONOLITHIC_CELLS:
        whole = Neighbourhood(employees=tuple(everyone), first_day=0, last_day=instance.horizon - 1)
        sub = build_submodel(instance, empty, whole, hint=False)
        solver = cp_solver(deadline - time.monotonic(), workers, seed)
        status = solver.solve(sub.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise InfeasibleError(f"{instance.name}: no feasible roster found in {time_limit} s")
        return _result(instance, sub.read(solver, empty), "monolithic", 1, 1, start)

    large = size > COLGEN_CELLS
    if large:
        roster = _construct_and_anneal(instance, empty, start, deadline, workers, rng)
        method = "anneal+lns"
    else:
        roster = _construct(instance, empty, start, deadline, workers, rng)
        method = "lns"
    search = Search(instance, roster, start, progress)
    search.bound = capacity_bound(instance) or None
    if progress:
        progress(time.monotonic() - start, search.best)
    seeds = [random.Random(rng.randrange(1 << 30)) for _ in range(max(1, workers))]
    if not large:
        # Column generation pays only where it converges within its share of the limit: its
        # first rounds, on the first roster, tell (cut short at half again the pace that would
        # fit), and may give a bound. Where it would not converge, and on instances of at most
        # _SOLO_CELLS cells, where annealing longer does better, annealing takes its time.
        columns = ColumnGeneration(instance, roster, workers=workers)
        pace = _COLGEN_SHARE * time_limit / TYPICAL_ROUNDS
        columns.run(
            min(deadline, time.monotonic() + 1.5 * _PROBE_ROUNDS * pace), rounds=_PROBE_ROUNDS
        )
        generate = size > _SOLO_CELLS and columns.fits(_COLGEN_SHARE * time_limit)
        # Annealing next, from the first roster (so a feasible roster is always at hand).
        if deadline - time.monotonic() > 1.0:
            arrays = instance_arrays(instance)
            annealed = _anneal(
                arrays,
                roster,
                (_SMALL_ANNEAL_SHARE if generate else _SOLO_ANNEAL_SHARE)
                * (deadline - time.monotonic()),
                workers,
                rng,
                meet=(),
                warm_first=_WARM_FIRST if size <= _WARM_CELLS else None,
            )
            mended = _best_of_chains(instance, arrays, annealed, deadline, workers, rng)
            if mended is not None and search.replace(mended):
                method = "anneal+lns"
        if generate:
            columns.add_schedules(search.roster)
            columns.run(min(deadline, time.monotonic() + _COLGEN_SHARE * time_limit))
            search.columns = columns
            if columns.converged and _MASTER_SHARE > 0:
                remaining = deadline - time.monotonic()
                better = columns.integer_roster(
                    search.roster, min(_MASTER_SHARE * time_limit, remaining)
                )
                if better is not None and search.replace(better):
                    method = "colgen+lns" if method == "lns" else "anneal+colgen+lns"
        if columns.bound is not None:  # from the first rounds alone, or from them all
            search.bound = max(columns.bound, search.bound or 0)
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
        solver = cp_solver(min(share, deadline - time.monotonic()), workers, rng.randrange(1 << 30))
        status = solver.solve(sub.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            easy = _succession_free(instance, e)
            for only in ([easy] if easy else []) + [None]:
                sub = build_submodel(instance, roster, neighbourhood, hint=False, only_shifts=only)
                limit = deadline - time.monotonic()
                solver = cp_solver(
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
            solver = cp_solver(min(share, remaining), workers, rng.randrange(1 << 30))
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
    the time left, cooling on from the temperature the chains had reached. Raises
    :class:`InfeasibleError` when no feasible roster is found in time."""
    arrays = instance_arrays(instance)
    limit = deadline - start
    first = _anneal(
        arrays,
        empty,
        _ANNEAL_LONG_SHARE * limit,
        workers,
        rng,
        give_up_after=_ANNEAL_FIRST_SHARE * limit,
        temperatures=_COOL,
    )
    if first.roster is not None:
        return first.roster
    roster = _mend(instance, first, start, deadline, workers, rng)
    remaining = deadline - time.monotonic()
    if remaining <= 1.0:
        return roster
    # Go on cooling from where the chains stopped: a fresh hot start would undo what they built.
    reached = temperature(*_COOL, _ANNEAL_FIRST_SHARE / _ANNEAL_LONG_SHARE)
    better = _anneal(
        arrays, roster, _ANNEAL_SHARE * remaining, workers, rng, temperatures=(reached, _COOL[1])
    )
    return roster if better.roster is None else better.roster


def _best_of_chains(
    instance: Instance,
    arrays: Arrays,
    annealed: AnnealResult,
    deadline: float,
    workers: int,
    rng: random.Random,
) -> Roster | None:
    """The best roster an annealing leaves: the best feasible roster a chain saw, or the roster
    a chain ended on, once the rows there still breaking a rule are rebuilt by best responses
    (CP-SAT, as in :func:`_construct`), where that is better. A chain can end a few rules short
    of a roster better than any it saw whole (Instance18: one rule broken at the end of a 34 s
    chain, no feasible roster better than its start seen on the way)."""
    best, value = annealed.roster, annealed.objective
    for chain in annealed.chains or (annealed,):
        if not any(chain.last_broken):
            continue
        if value is not None and roster_cost(arrays, np.array(chain.last)) >= value:
            continue
        now = time.monotonic()
        budget = min(_MEND_SECONDS, (deadline - now) / 4)
        if budget <= 0.1:
            break
        try:
            roster = _mend(instance, chain, now, now + budget, workers, rng)
        except InfeasibleError:
            continue
        cost = roster_cost(arrays, np.array(roster))
        if value is None or cost < value:
            best, value = roster, cost
    return best


def _mend(
    instance: Instance,
    chain: AnnealResult,
    start: float,
    deadline: float,
    workers: int,
    rng: random.Random,
) -> Roster:
    """The roster ``chain`` ended on, its rows still breaking a rule emptied and rebuilt by best
    responses (:func:`_construct`, timed from ``start``). Raises :class:`InfeasibleError` when a
    row cannot be rebuilt in time."""
    broken = [e for e, count in enumerate(chain.last_broken) if count]
    rows = [
        [OFF] * instance.horizon if count else list(row)
        for row, count in zip(chain.last, chain.last_broken, strict=True)
    ]
    return _construct(instance, rows, start, deadline, workers, rng, employees=broken)


def _anneal(
    arrays: Arrays,
    roster: Roster,
    seconds: float,
    workers: int,
    rng: random.Random,
    *,
    give_up_after: float | None = None,
    temperatures: tuple[float, float] = (T_FIRST, T_LAST),
    meet: tuple[float, ...] = MEET,
    warm_first: float | None = None,
) -> AnnealResult:
    """One annealing chain per worker from ``roster``, seeded from ``rng``, cooling between
    ``temperatures`` (first, last); with ``warm_first`` and two workers or more, the last chain
    starts at that temperature instead."""
    t_first, t_last = temperatures
    seeds = [rng.randrange(1 << 30) for _ in range(max(1, workers))]
    firsts = [t_first] * len(seeds)
    if warm_first is not None and len(seeds) > 1:
        firsts[-1] = warm_first
    return anneal_chains(
        arrays,
        roster,
        seconds=max(0.1, seconds),
        seeds=seeds,
        first_temperatures=firsts,
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
