"""Column generation for a Curtois instance: a lower bound, and rosters built from whole schedules.

The compact CP-SAT model's linear relaxation is weak on these instances (each employee's run and
total rules are hard to see in it), but the relaxation of the *schedule* formulation is close to
the optimum (Curtois & Qu solved the benchmark by branch and price, doi 10.1016/j.ejor.2014.01.039):

    minimise   sum over employees e and schedules p of cost(p) * lambda[e, p]
               + sum over (day, shift) of weight_under * under + weight_over * over
    subject to sum over p of lambda[e, p] = 1                         (one schedule each; dual pi)
               sum of lambda over schedules working (d, s) + under - over = requirement  (dual mu)

where a schedule ``p`` of employee ``e`` is a whole-horizon row that keeps every hard rule of ``e``
and ``cost(p)`` is its request penalty. Only a few schedules are ever written down: the linear
programme (GLOP) is solved over those known so far, and each employee's *pricing* problem (CP-SAT,
every hard rule of that employee, objective cost(p) - sum of mu over the cells p works) finds the
schedules that would improve it. When no schedule has a negative reduced cost the linear
programme is optimal over all schedules. At every round in which each pricing problem was solved
to optimality, ``LP value + sum of the employees' (negative) reduced costs`` is a valid lower
bound on the instance's optimum (the Lagrangian bound), so a bound exists before convergence.

The integer programme over the schedules found (SCIP, started from the incumbent roster) gives a
roster; on small instances it is optimal or near it, on others it is a start for the
neighbourhood search of :mod:`.solve`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

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

__all__ = ["ColumnGeneration"]

_SCALE = 1000  # reduced costs are scaled to integers for CP-SAT
_EPSILON = 1e-6
_PRICING_TIME_LIMIT = 2.0  # seconds per pricing problem at most
_COLUMNS_PER_PRICING = 3  # improving schedules kept from one pricing solve (the last found)
TYPICAL_ROUNDS = 40
"""Rounds column generation took to converge on the benchmark's mid-sized instances (30-50 on
Instance5-Instance11 at three schedules a pricing)."""

Schedule = tuple[int, ...]


class _Collector(cp_model.CpSolverSolutionCallback):
    """Keeps every schedule CP-SAT finds while it prices one employee."""

    def __init__(self, sub: SubModel, horizon: int) -> None:
        super().__init__()
        self.sub = sub
        self.horizon = horizon
        self.schedules: list[Schedule] = []

    def on_solution_callback(self) -> None:
        row = [OFF] * self.horizon
        for (_, d, s), var in self.sub.cells.items():
            if self.boolean_value(var):
                row[d] = s
        self.schedules.append(tuple(row))


class ColumnGeneration:
    """The schedule formulation of one instance, grown by pricing.

    Start it from a feasible roster (its rows are the first schedules, so the integer programme
    always has a solution at least as good), call :meth:`run` until a deadline, then read
    :attr:`bound` and call :meth:`integer_roster`.
    """

    def __init__(self, instance: Instance, roster: Roster, *, workers: int = 1) -> None:
        self.instance = instance
        self.workers = max(1, workers)
        n = len(instance.staff)
        self._requests = requests_by_employee(instance)
        self.columns: list[list[Schedule]] = [[tuple(row)] for row in roster]
        self._known: list[set[Schedule]] = [{tuple(row)} for row in roster]
        self._pricers: list[SubModel | None] = [None] * n
        self.lp_value: float | None = None
        self.bound: int | None = None  # the best valid lower bound proved so far
        self.converged = False
        self.rounds = 0
        self.seconds = 0.0  # spent in :meth:`run`, over all its calls
        self._build_lp()

    # The linear programme, kept between rounds: new schedules are added as new columns.
    def _build_lp(self) -> None:
        instance = self.instance
        solver = pywraplp.Solver.CreateSolver("GLOP")
        if solver is None:  # pragma: no cover - GLOP ships with OR-Tools
            raise RuntimeError("OR-Tools was built without GLOP")
        self._lp = solver
        self._objective = solver.Objective()
        self._objective.SetMinimization()
        self._one = [solver.Constraint(1.0, 1.0) for _ in instance.staff]
        self._cover = _cover_rows(instance, solver, self._objective, integer=False)
        self._lambdas: list[list[pywraplp.Variable]] = [[] for _ in instance.staff]
        for e, columns in enumerate(self.columns):
            for schedule in columns:
                self._add_lp_column(e, schedule)

    def _add_lp_column(self, e: int, schedule: Schedule) -> None:
        var = self._lp.NumVar(0.0, 1.0, "")
        _post_schedule(
            var, self._one[e], self._cover, self._objective, schedule, self.cost(e, schedule)
        )
        self._lambdas[e].append(var)

    def cost(self, e: int, schedule: Sequence[int]) -> int:
        """The request penalty of ``schedule`` for employee ``e``."""
        return request_penalty(self._requests[e], schedule)

    def _pricer(self, e: int) -> SubModel:
        pricer = self._pricers[e]
        if pricer is None:
            instance = self.instance
            empty = [[OFF] * instance.horizon for _ in instance.staff]
            whole = Neighbourhood(employees=(e,), first_day=0, last_day=instance.horizon - 1)
            pricer = build_submodel(instance, empty, whole, hint=False, with_objective=False)
            self._pricers[e] = pricer
        return pricer

    def _price(
        self, e: int, mu: dict[tuple[int, int], float], pi: float, time_limit: float
    ) -> tuple[list[Schedule], float | None]:
        """Schedules of ``e`` with a negative reduced cost, and ``e``'s least reduced cost when
        proved (``None`` otherwise)."""
        sub = self._pricer(e)
        model = sub.model
        terms: list[cp_model.LinearExprT] = []
        constant = 0
        for d, s, w, on in self._requests[e]:
            var = sub.cells.get((e, d, s))
            if on:
                constant += w * _SCALE
                if var is not None:
                    terms.append(-w * _SCALE * var)
            elif var is not None:
                terms.append(w * _SCALE * var)
        for (_, d, s), var in sub.cells.items():
            coefficient = round(mu.get((d, s), 0.0) * _SCALE)
            if coefficient:
                terms.append(-coefficient * var)
        model.minimize(sum(terms) + constant)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, time_limit)
        solver.parameters.num_workers = 1
        solver.parameters.linearization_level = 2
        collector = _Collector(sub, self.instance.horizon)
        status = solver.solve(model, collector)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [], None
        found: list[Schedule] = []
        for schedule in reversed(collector.schedules):
            if self._reduced_cost(e, schedule, mu, pi) < -_EPSILON:
                found.append(schedule)
            if len(found) == _COLUMNS_PER_PRICING:
                break
        least: float | None = None
        if status == cp_model.OPTIMAL:
            # The optimum of the scaled, rounded objective: each rounded coefficient is off by
            # at most 1 / (2 * _SCALE), and a schedule works at most one cell a day.
            slack = self.instance.horizon / (2 * _SCALE)
            least = solver.objective_value / _SCALE - pi - slack
        return found, least

    def _reduced_cost(
        self, e: int, schedule: Schedule, mu: dict[tuple[int, int], float], pi: float
    ) -> float:
        return (
            self.cost(e, schedule)
            - sum(mu.get((d, s), 0.0) for d, s in enumerate(schedule) if s != OFF)
            - pi
        )

    def run(self, deadline: float, *, rounds: int | None = None) -> None:
        """Alternate the linear programme and pricing until converged or ``deadline``, or until
        ``rounds`` more rounds are done.

        Gives up early (keeping the bound found so far) when the rounds of this call are so
        slow that the :data:`TYPICAL_ROUNDS` a convergence takes would not fit between its start
        and ``deadline``.
        """
        began = time.monotonic()
        try:
            self._run(deadline, rounds, began)
        finally:
            self.seconds += time.monotonic() - began

    def fits(self, seconds: float) -> bool:
        """Whether :data:`TYPICAL_ROUNDS` rounds, at the pace of those run so far, take at most
        ``seconds`` (always, once converged; never before a round has been run)."""
        if self.converged:
            return True
        return self.rounds > 0 and self.seconds / self.rounds * TYPICAL_ROUNDS <= seconds

    def _run(self, deadline: float, rounds: int | None, began: float) -> None:
        n = len(self.instance.staff)
        done = 0
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while time.monotonic() < deadline and (rounds is None or done < rounds):
                if done >= 2:
                    per_round = (time.monotonic() - began) / done
                    if began + per_round * TYPICAL_ROUNDS > deadline:
                        return
                if (
                    self._lp.Solve() != pywraplp.Solver.OPTIMAL
                ):  # pragma: no cover - always feasible
                    raise RuntimeError(f"{self.instance.name}: master linear programme failed")
                value = self._objective.Value()
                self.lp_value = value
                mu = {key: row.dual_value() for key, row in self._cover.items()}
                pi = [row.dual_value() for row in self._one]

                def price(
                    e: int, mu: dict[tuple[int, int], float] = mu, pi: list[float] = pi
                ) -> tuple[list[Schedule], float | None]:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0.05:
                        return [], None
                    return self._price(e, mu, pi[e], min(_PRICING_TIME_LIMIT, remaining))

                results = list(pool.map(price, range(n)))
                self.rounds += 1
                done += 1
                added = 0
                proved = all(least is not None for _, least in results)
                if proved:
                    lagrangian = value + sum(min(0.0, least or 0.0) for _, least in results)
                    bound = math.ceil(lagrangian - 1e-6)
                    if bound > 0:  # the objective is never negative: 0 is no bound at all
                        self.bound = bound if self.bound is None else max(self.bound, bound)
                for e, (schedules, _) in enumerate(results):
                    for schedule in schedules:
                        if schedule not in self._known[e]:
                            self._known[e].add(schedule)
                            self.columns[e].append(schedule)
                            self._add_lp_column(e, schedule)
                            added += 1
                if added == 0 and proved:
                    self.converged = True
                    return

    def add_schedules(self, roster: Roster) -> None:
        """Make every row of ``roster`` a known schedule (e.g. a roster found elsewhere)."""
        for e, row in enumerate(roster):
            schedule = tuple(row)
            if schedule not in self._known[e]:
                self._known[e].add(schedule)
                self.columns[e].append(schedule)
                self._add_lp_column(e, schedule)

    def integer_roster(self, incumbent: Roster, time_limit: float) -> Roster | None:
        """The best roster SCIP finds over the known schedules within ``time_limit``, started
        from ``incumbent`` (whose rows must be known schedules); ``None`` if it finds none."""
        instance = self.instance
        solver = pywraplp.Solver.CreateSolver("SCIP")
        if solver is None:  # pragma: no cover - SCIP ships with OR-Tools
            return None
        solver.SetTimeLimit(max(1, int(time_limit * 1000)))
        chosen: list[list[pywraplp.Variable]] = []
        objective = solver.Objective()
        objective.SetMinimization()
        rows = _cover_rows(instance, solver, objective, integer=True)
        hint_vars: list[pywraplp.Variable] = []
        hint_values: list[float] = []
        for e, columns in enumerate(self.columns):
            one = solver.Constraint(1.0, 1.0)
            variables = []
            for schedule in columns:
                var = solver.BoolVar("")
                _post_schedule(var, one, rows, objective, schedule, self.cost(e, schedule))
                variables.append(var)
                hint_vars.append(var)
                hint_values.append(1.0 if list(schedule) == incumbent[e] else 0.0)
            chosen.append(variables)
        solver.SetHint(hint_vars, hint_values)
        status = solver.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        roster: Roster = []
        for e, variables in enumerate(chosen):
            picked = [p for p, var in enumerate(variables) if var.solution_value() > 0.5]
            if len(picked) != 1:
                return None
            roster.append(list(self.columns[e][picked[0]]))
        return roster


def _cover_rows(
    instance: Instance, solver: pywraplp.Solver, objective: pywraplp.Objective, *, integer: bool
) -> dict[tuple[int, int], pywraplp.Constraint]:
    """One row per (day, shift) with a cover requirement: the schedules working it, plus the
    shortfall, minus the excess, equal the requirement; shortfall and excess are paid at their
    weights (whole numbers in the integer programme)."""
    rows: dict[tuple[int, int], pywraplp.Constraint] = {}
    for c in instance.cover:
        row = solver.Constraint(float(c.requirement), float(c.requirement))
        if integer:
            under = solver.IntVar(0.0, float(c.requirement), "")
            over = solver.IntVar(0.0, solver.infinity(), "")
        else:
            under = solver.NumVar(0.0, solver.infinity(), "")
            over = solver.NumVar(0.0, solver.infinity(), "")
        row.SetCoefficient(under, 1.0)
        row.SetCoefficient(over, -1.0)
        objective.SetCoefficient(under, float(c.weight_under))
        objective.SetCoefficient(over, float(c.weight_over))
        rows[(c.day, instance.shift_index(c.shift))] = row
    return rows


def _post_schedule(
    var: pywraplp.Variable,
    one: pywraplp.Constraint,
    rows: dict[tuple[int, int], pywraplp.Constraint],
    objective: pywraplp.Objective,
    schedule: Schedule,
    cost: int,
) -> None:
    """Enter the variable choosing ``schedule`` in its employee's row, the cover rows of the
    cells it works and the objective."""
    one.SetCoefficient(var, 1.0)
    for d, s in enumerate(schedule):
        if s != OFF and (d, s) in rows:
            rows[(d, s)].SetCoefficient(var, 1.0)
    objective.SetCoefficient(var, float(cost))


def column_submodel(
    columns: ColumnGeneration, roster: Roster, employees: Sequence[int]
) -> SubModel:
    """A neighbourhood over known schedules: each of ``employees`` takes one of its schedules
    (its current row included), everyone else keeps their row. Every schedule keeps its
    employee's hard rules, so any solution is a feasible roster; the objective is the whole
    roster's (every employee's requests, cover of every day and shift)."""
    instance = columns.instance
    model = cp_model.CpModel()
    freed = set(employees)
    n_shifts = len(instance.shifts)
    counts = [[0] * n_shifts for _ in range(instance.horizon)]
    for e, row in enumerate(roster):
        if e not in freed:
            for d, s in enumerate(row):
                if s != OFF:
                    counts[d][s] += 1
    cells: dict[tuple[int, int, int], cp_model.IntVar] = {}
    working: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    objective: list[cp_model.LinearExprT] = []
    for e in employees:
        options = list(dict.fromkeys([tuple(roster[e]), *columns.columns[e]]))
        chosen = [model.new_bool_var(f"p{e}_{p}") for p in range(len(options))]
        model.add_exactly_one(chosen)
        model.add_hint(chosen[0], True)
        by_cell: dict[tuple[int, int], list[cp_model.IntVar]] = {}
        for var, schedule in zip(chosen, options, strict=True):
            cost = columns.cost(e, schedule)
            if cost:
                objective.append(cost * var)
            for d, s in enumerate(schedule):
                if s != OFF:
                    by_cell.setdefault((d, s), []).append(var)
        for (d, s), literals in by_cell.items():
            cell = model.new_bool_var(f"x{e}_{d}_{s}")
            model.add(cell == sum(literals))
            cells[(e, d, s)] = cell
            working.setdefault((d, s), []).append(cell)
    # The others' request penalties are constant: with them the objective is the roster's.
    constant = sum(columns.cost(e, row) for e, row in enumerate(roster) if e not in freed)
    for c in instance.cover:
        s = instance.shift_index(c.shift)
        fixed = counts[c.day][s]
        terms = working.get((c.day, s), [])
        if not terms:
            constant += max(0, c.requirement - fixed) * c.weight_under
            constant += max(0, fixed - c.requirement) * c.weight_over
            continue
        under = model.new_int_var(0, max(0, c.requirement - fixed), f"u{c.day}_{s}")
        over = model.new_int_var(0, max(0, len(terms) + fixed - c.requirement), f"o{c.day}_{s}")
        model.add(sum(terms) + fixed - c.requirement == over - under)
        objective.append(c.weight_under * under + c.weight_over * over)
    model.minimize(sum(objective) + constant)
    whole = Neighbourhood(
        employees=tuple(sorted(employees)), first_day=0, last_day=instance.horizon - 1
    )
    return SubModel(model=model, cells=cells, neighbourhood=whole)
