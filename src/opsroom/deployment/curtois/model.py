"""The CP-SAT model of a Curtois instance, restricted to a neighbourhood.

A neighbourhood frees some employees over a window of days and keeps every other cell of the
current roster fixed. Freeing everyone over the whole horizon gives the plain monolithic model;
smaller neighbourhoods are the moves of the large-neighbourhood search in :mod:`.solve`. Every hard
rule of the benchmark (see :mod:`.check`) is posted for the freed employees, with the fixed days
entering as constants, so any solution of a neighbourhood is a feasible roster.

A roster here is one list per employee (in instance order) holding, for each day, the index of the
shift worked or ``-1`` for a day off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from opsroom.deployment.curtois.instance import Instance

__all__ = [
    "Neighbourhood",
    "Request",
    "Roster",
    "SubModel",
    "build_submodel",
    "request_penalty",
    "requests_by_employee",
]

Roster = list[list[int]]
OFF = -1

Request = tuple[int, int, int, bool]  # (day, shift index, weight, True for on / False for off)


def requests_by_employee(instance: Instance) -> list[list[Request]]:
    """Each employee's shift requests (in instance order)."""
    index = {s.id: i for i, s in enumerate(instance.staff)}
    result: list[list[Request]] = [[] for _ in instance.staff]
    for requests, on in ((instance.on_requests, True), (instance.off_requests, False)):
        for r in requests:
            result[index[r.employee]].append((r.day, instance.shift_index(r.shift), r.weight, on))
    return result


def request_penalty(requests: Sequence[Request], schedule: Sequence[int]) -> int:
    """The weight of the on-requests ``schedule`` misses and of the off-requests it meets."""
    return sum(w if (schedule[d] == s) != on else 0 for d, s, w, on in requests)


# A day's state for one employee: a CP-SAT literal (free) or a constant (fixed).
_Day = cp_model.IntVar | int


@dataclass(frozen=True, kw_only=True)
class Neighbourhood:
    """Employees (indices) freed over days ``first_day`` .. ``last_day`` (inclusive), and over a
    second window ``also = (first, last)`` when given (work can then move between two separate
    periods while each employee's totals stay within their limits)."""

    employees: tuple[int, ...]
    first_day: int
    last_day: int
    also: tuple[int, int] | None = None

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        """Each freed window as ``(first, last)``."""
        first = (self.first_day, self.last_day)
        return (first,) if self.also is None else (first, self.also)

    @property
    def days(self) -> tuple[int, ...]:
        """Every freed day, in order."""
        return tuple(sorted({d for a, b in self.windows for d in range(a, b + 1)}))


@dataclass(kw_only=True)
class SubModel:
    """A built neighbourhood model and the variables needed to read its solution back."""

    model: cp_model.CpModel
    cells: dict[tuple[int, int, int], cp_model.IntVar]  # (employee, day, shift) -> literal
    neighbourhood: Neighbourhood

    def read(self, solver: cp_model.CpSolver, roster: Roster) -> Roster:
        """The roster with the neighbourhood's cells replaced by the solver's values."""
        result = [list(days) for days in roster]
        n = self.neighbourhood
        days = n.days
        for e in n.employees:
            for d in days:
                result[e][d] = OFF
        for (e, d, s), var in self.cells.items():
            if solver.boolean_value(var):
                result[e][d] = s
        return result


def _allowed(instance: Instance, e: int, d: int, only: frozenset[int] | None = None) -> list[int]:
    staff = instance.staff[e]
    if d in staff.days_off:
        return []
    return [
        i
        for i, s in enumerate(instance.shifts)
        if staff.max_shifts.get(s.id, 0) > 0 and (only is None or i in only)
    ]


def build_submodel(
    instance: Instance,
    roster: Roster,
    neighbourhood: Neighbourhood,
    *,
    hint: bool = True,
    only_shifts: frozenset[int] | None = None,
    with_objective: bool = True,
) -> SubModel:
    """Build the model of ``neighbourhood`` around ``roster`` (which must be feasible outside it).

    With ``hint`` the current cells are given to CP-SAT as a solution hint, so the solver starts
    from a roster that is never worse than the current one. ``only_shifts`` restricts the freed
    cells to those shift types (used to build a first roster quickly). Without
    ``with_objective`` only the hard rules are posted, for callers that set their own objective.
    """
    model = cp_model.CpModel()
    horizon = instance.horizon
    n_shifts = len(instance.shifts)
    free_days = neighbourhood.days
    free = set(free_days)

    def near(before: int, after: int, low: int, high: int) -> list[int]:
        """Days from ``before`` ahead of each window to ``after`` past it, within low..high:
        where a rule spanning several days can touch a freed day."""
        days: set[int] = set()
        for a, b in neighbourhood.windows:
            days.update(range(max(low, a - before), min(high, b + after) + 1))
        return sorted(days)

    freed = set(neighbourhood.employees)
    cells: dict[tuple[int, int, int], cp_model.IntVar] = {}
    objective: list[cp_model.LinearExpr] = []
    constant = 0

    for e in neighbourhood.employees:
        staff = instance.staff[e]
        x: list[list[_Day]] = []
        work: list[_Day] = []
        for d in range(horizon):
            if d in free:
                allowed = set(_allowed(instance, e, d, only_shifts))
                row: list[_Day] = []
                for s in range(n_shifts):
                    if s in allowed:
                        var = model.new_bool_var(f"x{e}_{d}_{s}")
                        cells[(e, d, s)] = var
                        if hint:
                            model.add_hint(var, roster[e][d] == s)
                        row.append(var)
                    else:
                        row.append(0)
                x.append(row)
                day_vars = [v for v in row if not isinstance(v, int)]
                if day_vars:
                    day_worked = model.new_bool_var(f"w{e}_{d}")
                    model.add(sum(day_vars) == day_worked)
                    work.append(day_worked)
                else:
                    work.append(0)
            else:
                x.append([int(roster[e][d] == s) for s in range(n_shifts)])
                work.append(int(roster[e][d] != OFF))

        # Forbidden successions: s on day d excludes every t in s.cannot_follow on day d + 1.
        for d in near(1, 0, 0, horizon - 2):
            for s, shift in enumerate(instance.shifts):
                if not shift.cannot_follow:
                    continue
                terms = [x[d][s]] + [x[d + 1][instance.shift_index(t)] for t in shift.cannot_follow]
                _at_most_one(model, terms)

        # Max shifts per type and total minutes: the fixed days count as constants.
        fixed_days = [d for d in range(horizon) if d not in free]
        fixed_minutes = sum(
            instance.shifts[roster[e][d]].minutes for d in fixed_days if roster[e][d] != OFF
        )
        for s, shift in enumerate(instance.shifts):
            limit = staff.max_shifts.get(shift.id, 0)
            used = sum(1 for d in fixed_days if roster[e][d] == s)
            terms = [x[d][s] for d in free_days if not isinstance(x[d][s], int)]
            if terms and len(terms) + used > limit:
                model.add(sum(terms) <= limit - used)
        minutes = [
            x[d][s] * instance.shifts[s].minutes
            for d in free_days
            for s in range(n_shifts)
            if not isinstance(x[d][s], int)
        ]
        model.add_linear_constraint(
            sum(minutes),
            staff.min_total_minutes - fixed_minutes,
            staff.max_total_minutes - fixed_minutes,
        )

        # Max consecutive working days: every window of max + 1 days holds a day off.
        span = staff.max_consecutive_shifts + 1
        for start in near(span - 1, 0, 0, horizon - span):
            _at_most(model, work[start : start + span], span - 1)

        # Min consecutive working days / days off: forbid short inner runs (edge runs exempt).
        for length in range(1, staff.min_consecutive_shifts):
            for start in near(length, 1, 1, horizon - length - 1):
                # not (off at start-1, work start..start+length-1, off at start+length)
                _clause(
                    model,
                    [(work[start - 1], True)]
                    + [(work[d], False) for d in range(start, start + length)]
                    + [(work[start + length], True)],
                )
        for length in range(1, staff.min_consecutive_days_off):
            for start in near(length, 1, 1, horizon - length - 1):
                _clause(
                    model,
                    [(work[start - 1], False)]
                    + [(work[d], True) for d in range(start, start + length)]
                    + [(work[start + length], False)],
                )

        # Max weekends: a weekend counts when Saturday or Sunday is worked.
        weekend_terms: list[_Day] = []
        for w in range(instance.weekends):
            values = [work[d] for d in (7 * w + 5, 7 * w + 6) if d < horizon]
            if any(isinstance(v, int) and v == 1 for v in values):
                weekend_terms.append(1)
                continue
            day_lits = [v for v in values if not isinstance(v, int)]
            if not day_lits:
                continue
            worked = model.new_bool_var(f"we{e}_{w}")
            model.add_max_equality(worked, day_lits)
            weekend_terms.append(worked)
        fixed_weekends = sum(v for v in weekend_terms if isinstance(v, int))
        lits = [v for v in weekend_terms if not isinstance(v, int)]
        if lits:
            model.add(sum(lits) <= staff.max_weekends - fixed_weekends)

    if not with_objective:
        return SubModel(model=model, cells=cells, neighbourhood=neighbourhood)

    # Requests of the freed employees inside the window.
    index = {s.id: i for i, s in enumerate(instance.staff)}
    for r in instance.on_requests:
        if r.day not in free:
            continue
        e = index[r.employee]
        key = (e, r.day, instance.shift_index(r.shift))
        if e in freed:
            if key in cells:
                objective.append(r.weight * (1 - cells[key]))
            else:
                constant += r.weight
    for r in instance.off_requests:
        if r.day not in free:
            continue
        e = index[r.employee]
        key = (e, r.day, instance.shift_index(r.shift))
        if key in cells:
            objective.append(r.weight * cells[key])

    # Cover of each (day, shift) in the window: others' fixed count plus the freed cells.
    counts = [[0] * n_shifts for _ in range(horizon)]
    for e, schedule in enumerate(roster):
        if e in freed:
            continue
        for d in free_days:
            if schedule[d] != OFF:
                counts[d][schedule[d]] += 1
    for c in instance.cover:
        if c.day not in free:
            continue
        s = instance.shift_index(c.shift)
        fixed = counts[c.day][s]
        terms = [cells[(e, c.day, s)] for e in neighbourhood.employees if (e, c.day, s) in cells]
        if not terms:
            constant += max(0, c.requirement - fixed) * c.weight_under
            constant += max(0, fixed - c.requirement) * c.weight_over
            continue
        count = sum(terms) + fixed
        top = len(terms) + fixed
        under = model.new_int_var(0, max(0, c.requirement - fixed), f"u{c.day}_{s}")
        over = model.new_int_var(0, max(0, top - c.requirement), f"o{c.day}_{s}")
        model.add(count - c.requirement == over - under)
        objective.append(c.weight_under * under + c.weight_over * over)

    model.minimize(sum(objective) + constant)
    return SubModel(model=model, cells=cells, neighbourhood=neighbourhood)


def _at_most_one(model: cp_model.CpModel, terms: Sequence[_Day]) -> None:
    _at_most(model, terms, 1)


def _at_most(model: cp_model.CpModel, terms: Sequence[_Day], limit: int) -> None:
    fixed = sum(t for t in terms if isinstance(t, int))
    lits = [t for t in terms if not isinstance(t, int)]
    if not lits or len(lits) + fixed <= limit:
        return
    if limit - fixed == 1:
        model.add_at_most_one(lits)
    else:
        model.add(sum(lits) <= limit - fixed)


def _clause(model: cp_model.CpModel, literals: Sequence[tuple[_Day, bool]]) -> None:
    """Post the clause OR(value == wanted); constants settle or drop their literal."""
    lits: list[cp_model.LiteralT] = []
    for value, wanted in literals:
        if isinstance(value, int):
            if bool(value) == wanted:
                return
            continue
        lits.append(value if wanted else value.negated())
    if lits:
        model.add_bool_or(lits)
    else:
        model.add_bool_or([model.new_constant(0)])
