"""The large-neighbourhood search (LNS) of :mod:`.solve`: a roster improved by freeing a
neighbourhood of it (:mod:`.neighbourhoods`) and solving that with CP-SAT, several at once.

- each neighbourhood is solved by one CP-SAT worker with ``linearization_level = 2`` and at most
  ``_SUB_TIME_LIMIT`` seconds: on these models it proves small neighbourhoods optimal several
  times faster than the default two-worker portfolio (Instance10, 30 s: 4,873 against 5,927).
  Those freeing everyone around a shortfall (:data:`.neighbourhoods.AROUND`) get
  ``_AROUND_TIME_LIMIT``: on Instance13, four days of its 120 employees take CP-SAT 1-2 s to
  prove, and the gains there come from such windows. The search draws them ``_AROUND_FIRST``
  times as often as any other kind at first, since it may have only a few seconds.
- ``NEIGHBOURHOOD_CELLS``: starting size of an LNS neighbourhood, adapted as it runs (grows by
  25 % when a neighbourhood is solved to optimality, shrinks by 20 % when it times out).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from opsroom.deployment.curtois.colgen import ColumnGeneration, column_submodel
from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import (
    OFF,
    Roster,
    SubModel,
    build_submodel,
    request_penalty,
    requests_by_employee,
)
from opsroom.deployment.curtois.neighbourhoods import (
    AROUND,
    KINDS,
    PAIRED,
    SCHEDULES,
    TARGETED,
    pick,
    pick_by_schedules,
)

__all__ = ["NEIGHBOURHOOD_CELLS", "Progress", "Scorer", "Search", "cp_solver"]

NEIGHBOURHOOD_CELLS = 400
_SUB_TIME_LIMIT = 1.0  # seconds per neighbourhood at most ...
_AROUND_TIME_LIMIT = 3.0  # ... but those of everyone around a shortfall
_AROUND_FIRST = 5.0  # how much likelier those are drawn than any other kind at first

Progress = Callable[[float, int], None]  # (elapsed seconds, current objective)


def cp_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """A CP-SAT solver with these limits (at least 0.05 s)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


class Scorer:
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


class Search:
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
        self.scorer = Scorer(instance, roster)
        self.versions = [0] * len(roster)
        self.lock = threading.Lock()
        self.targets = [float(NEIGHBOURHOOD_CELLS)] * KINDS
        self.tried = self.improved = 0
        # What each kind of neighbourhood has gained per second of solving lately: kinds are
        # drawn in proportion to it (with a floor, so none is starved).
        self.gain = [1.0] * KINDS
        self.gain[AROUND] = _AROUND_FIRST
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
        scorer = Scorer(self.instance, roster)
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
                shortfalls = self.scorer.shortfalls() if kind in (TARGETED, PAIRED, AROUND) else []
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
            limit = _AROUND_TIME_LIMIT if kind == AROUND else _SUB_TIME_LIMIT
            solver = cp_solver(min(limit, remaining), 1, rng.randrange(1 << 30))
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
