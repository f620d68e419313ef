"""An independent checker of Curtois solutions: every hard rule, and the objective recomputed.

It shares nothing with the solver but the instance: it walks each employee's days in plain Python,
so a solver bug cannot hide behind the same bug in its checker. The rules are those of the
benchmark (README of ``shared/data/roster``; schedulingbenchmarks.org/nrp):

Hard: at most one shift a day; forbidden successions (shift ``t`` on day ``d + 1`` after ``s``
when ``t`` is in ``s.cannot_follow``); max shifts per type; min/max total minutes; max consecutive
working days; min consecutive working days and min consecutive days off, except for runs that touch
the first or last day of the horizon; max weekends worked (Saturday or Sunday worked counts the
weekend); days off.

Soft: each unmet on-request and each met off-request costs its weight; each (day, shift) costs
``weight_under`` per person under its requirement and ``weight_over`` per person over it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opsroom.deployment.curtois.instance import Instance

__all__ = ["Assignment", "CheckReport", "check_solution", "runs"]


@dataclass(frozen=True, kw_only=True)
class Assignment:
    """One employee working one shift on one day (day counted from 0)."""

    employee: str
    day: int
    shift: str


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    """The verdict on a solution: hard violations (empty when feasible) and objective terms."""

    violations: tuple[str, ...]
    on_request_penalty: int
    off_request_penalty: int
    under_cover_penalty: int
    over_cover_penalty: int

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def objective(self) -> int:
        return (
            self.on_request_penalty
            + self.off_request_penalty
            + self.under_cover_penalty
            + self.over_cover_penalty
        )


def runs(worked: list[bool]) -> list[tuple[int, int, bool]]:
    """Maximal runs of equal values as ``(first_day, length, worked)``."""
    result: list[tuple[int, int, bool]] = []
    start = 0
    for day in range(1, len(worked) + 1):
        if day == len(worked) or worked[day] != worked[start]:
            result.append((start, day - start, worked[start]))
            start = day
    return result


def check_solution(instance: Instance, assignments: Iterable[Assignment]) -> CheckReport:
    """Check every hard rule of ``instance`` on ``assignments`` and recompute the objective."""
    violations: list[str] = []
    staff = {s.id: s for s in instance.staff}
    shifts = {s.id: s for s in instance.shifts}
    plan: dict[str, dict[int, str]] = {s.id: {} for s in instance.staff}
    for a in assignments:
        if a.employee not in staff:
            violations.append(f"unknown employee {a.employee!r}")
            continue
        if a.shift not in shifts:
            violations.append(f"{a.employee} day {a.day}: unknown shift {a.shift!r}")
            continue
        if not 0 <= a.day < instance.horizon:
            violations.append(f"{a.employee}: day {a.day} outside the horizon")
            continue
        if a.day in plan[a.employee]:
            violations.append(f"{a.employee} day {a.day}: more than one shift")
            continue
        plan[a.employee][a.day] = a.shift
    for employee in instance.staff:
        violations.extend(_check_employee(instance, employee.id, plan[employee.id]))
    return CheckReport(violations=tuple(violations), **_objective_terms(instance, plan))


def _check_employee(instance: Instance, employee_id: str, days: Mapping[int, str]) -> list[str]:
    rules = next(s for s in instance.staff if s.id == employee_id)
    out: list[str] = []
    horizon = instance.horizon
    for day, shift_id in sorted(days.items()):
        if day in rules.days_off:
            out.append(f"{employee_id} day {day}: works on a day off")
        following = days.get(day + 1)
        if following is not None and following in instance.shift(shift_id).cannot_follow:
            out.append(f"{employee_id} day {day + 1}: {following} may not follow {shift_id}")
    for shift_id, count in Counter(days.values()).items():
        if count > rules.max_shifts.get(shift_id, 0):
            out.append(
                f"{employee_id}: {count} {shift_id} shifts, max {rules.max_shifts.get(shift_id, 0)}"
            )
    minutes = sum(instance.shift(s).minutes for s in days.values())
    if not rules.min_total_minutes <= minutes <= rules.max_total_minutes:
        out.append(
            f"{employee_id}: {minutes} min worked, allowed "
            f"{rules.min_total_minutes}-{rules.max_total_minutes}"
        )
    worked = [day in days for day in range(horizon)]
    for start, length, is_work in runs(worked):
        touches_edge = start == 0 or start + length == horizon
        if is_work and length > rules.max_consecutive_shifts:
            out.append(
                f"{employee_id} days {start}-{start + length - 1}: {length} consecutive shifts, "
                f"max {rules.max_consecutive_shifts}"
            )
        if is_work and not touches_edge and length < rules.min_consecutive_shifts:
            out.append(
                f"{employee_id} days {start}-{start + length - 1}: {length} consecutive shifts, "
                f"min {rules.min_consecutive_shifts}"
            )
        if not is_work and not touches_edge and length < rules.min_consecutive_days_off:
            out.append(
                f"{employee_id} days {start}-{start + length - 1}: {length} days off in a row, "
                f"min {rules.min_consecutive_days_off}"
            )
    weekends = sum(
        1
        for w in range(instance.weekends)
        if any(7 * w + d in days for d in (5, 6) if 7 * w + d < horizon)
    )
    if weekends > rules.max_weekends:
        out.append(f"{employee_id}: {weekends} weekends worked, max {rules.max_weekends}")
    return out


def _objective_terms(instance: Instance, plan: Mapping[str, Mapping[int, str]]) -> dict[str, int]:
    on = sum(
        r.weight for r in instance.on_requests if plan.get(r.employee, {}).get(r.day) != r.shift
    )
    off = sum(
        r.weight for r in instance.off_requests if plan.get(r.employee, {}).get(r.day) == r.shift
    )
    count: Counter[tuple[int, str]] = Counter(
        (day, shift) for days in plan.values() for day, shift in days.items()
    )
    under = over = 0
    for c in instance.cover:
        have = count.get((c.day, c.shift), 0)
        under += max(0, c.requirement - have) * c.weight_under
        over += max(0, have - c.requirement) * c.weight_over
    return {
        "on_request_penalty": on,
        "off_request_penalty": off,
        "under_cover_penalty": under,
        "over_cover_penalty": over,
    }
