"""A lower bound on a Curtois instance's optimum from capacity alone, cheap enough to compute
before any search.

Each shift type's cover can only be met by the employees allowed to work it, and each of them
works it on at most ``min(max shifts of that type, days not off, max minutes / shift minutes,
days a max-consecutive rule lets them work)`` days. When the requirement of a shift type over the
horizon exceeds what all employees together can work of it, the difference is cover that no
roster meets; it is paid at least at the cheapest under-cover weights of that type's cells. The
same holds on each (day, shift) cell for the number of employees able to work it that day. Shift
types have disjoint cells, so their shortfalls add up. Two more counts: the weekends all
employees may work together against the weekends' cover, and the minutes they may work together
against the cover's minutes. An on-request that its employee can never meet (a day off, or a
shift type the contract forbids) is paid by every roster, and is added too.

On Instance8, 14 and 15 of the benchmark this bound alone is 1,200, 1,200 and 3,600 (12, 12 and
36 unavoidable shortfalls), against best-known objectives of 1,300, 1,278 and 3,828: there the
cover that decides the objective is a scarce shift type, not the search. On Instance19 the
weekends decide it: its 40 employees may work 258 weekends, and 26 weekend shifts stay short
(2,600, best known 3,149).
"""

from __future__ import annotations

import math

from opsroom.deployment.curtois.instance import CoverRequirement, Instance, Staff

__all__ = ["capacity_bound", "type_capacity"]


def type_capacity(instance: Instance, staff: Staff, shift: int) -> int:
    """The most days ``staff`` can work shift type ``shift`` in any roster keeping its rules."""
    s = instance.shifts[shift]
    limit = staff.max_shifts.get(s.id, 0)
    if limit <= 0:
        return 0
    available = instance.horizon - sum(1 for d in staff.days_off if 0 <= d < instance.horizon)
    by_minutes = staff.max_total_minutes // s.minutes if s.minutes > 0 else instance.horizon
    # Every window of max_consecutive_shifts + 1 days holds a day off.
    span = staff.max_consecutive_shifts + 1
    by_runs = instance.horizon - instance.horizon // span
    return max(0, min(limit, available, by_minutes, by_runs))


def capacity_bound(instance: Instance) -> int:
    """A lower bound on the objective of every feasible roster of ``instance``."""
    requests = 0
    index = {e.id: e for e in instance.staff}
    for r in instance.on_requests:
        staff = index[r.employee]
        if r.day in staff.days_off or staff.max_shifts.get(r.shift, 0) <= 0:
            requests += r.weight
    # Four ways of counting shortfalls: by shift type over the horizon, by day over the shift
    # types, over the weekends, and over the minutes the employees may work. Each is a lower
    # bound on its own; they overlap, so the bound takes the largest.
    return requests + max(
        _by_shift_type(instance),
        _by_day(instance),
        _by_weekend(instance),
        _by_minutes(instance),
    )


def _working(instance: Instance) -> list[Staff]:
    """The employees allowed to work any shift type."""
    return [e for e in instance.staff if any(v > 0 for v in e.max_shifts.values())]


def _present(working: list[Staff], day: int) -> int:
    """How many of ``working`` are not off on ``day``."""
    return sum(1 for e in working if day not in e.days_off)


def _cheapest(cells: list[tuple[int, int]], short: int) -> int:
    """The least weight of ``short`` shortfalls spread over ``cells``, each a pair
    ``(weight_under, most shortfalls it can take)``."""
    total = 0
    for weight, room in sorted(cells):
        if short <= 0:
            break
        take = min(short, room)
        total += take * weight
        short -= take
    return total


def _by_shift_type(instance: Instance) -> int:
    total = 0
    for i, shift in enumerate(instance.shifts):
        cells = [c for c in instance.cover if c.shift == shift.id and c.requirement > 0]
        able = [e for e in instance.staff if e.max_shifts.get(shift.id, 0) > 0]
        # Cover each cell can get at most: the employees able to work it that day.
        most = [min(c.requirement, _present(able, c.day)) for c in cells]
        capacity = sum(type_capacity(instance, e, i) for e in able)
        total += sum((c.requirement - m) * c.weight_under for c, m in zip(cells, most, strict=True))
        left = [(c.weight_under, m) for c, m in zip(cells, most, strict=True)]
        total += _cheapest(left, max(0, sum(most) - capacity))
    return total


def _by_day(instance: Instance) -> int:
    by_day: list[list[CoverRequirement]] = [[] for _ in range(instance.horizon)]
    for c in instance.cover:
        if c.requirement > 0:
            by_day[c.day].append(c)
    working = _working(instance)
    total = 0
    for d, cells in enumerate(by_day):
        present = _present(working, d)
        short = sum(c.requirement for c in cells) - present
        total += _cheapest([(c.weight_under, c.requirement) for c in cells], max(0, short))
    return total


def _by_weekend(instance: Instance) -> int:
    """An employee works at most ``max_weekends`` weekends and covers at most one shift on each
    day of a weekend worked, so the weekends' cover is limited by the weekends all employees may
    work together. The cover a weekend can get from ``k`` employees, ``min(k, Saturday's need) +
    min(k, Sunday's need)`` (needs capped by the employees not off that day), grows by at most
    as much with each employee more, so giving the weekends worked one at a time to the weekend
    that gains most covers the most; what is left uncovered is paid at the cheapest weekend
    cells."""
    horizon = instance.horizon
    working = _working(instance)
    need = [0] * horizon
    for c in instance.cover:
        need[c.day] += c.requirement
    gains: list[int] = []
    for w in range(instance.weekends):
        room = [min(need[d], _present(working, d)) for d in (7 * w + 5, 7 * w + 6) if d < horizon]
        gains += [sum(1 for r in room if k < r) for k in range(max(room, default=0))]
    slots = sum(min(e.max_weekends, instance.weekends) for e in working)
    covered = sum(sorted(gains, reverse=True)[:slots])
    weekend = [c for c in instance.cover if c.day % 7 >= 5 and c.requirement > 0]
    short = sum(c.requirement for c in weekend) - covered
    return _cheapest([(c.weight_under, c.requirement) for c in weekend], max(0, short))


def _by_minutes(instance: Instance) -> int:
    """The cover wanted, in minutes, against the most minutes all employees may work together:
    the shortfalls must add up to the difference in minutes at least. The cheapest such set of
    shortfalls, allowed to take fractions of a cell's shift (a relaxation, so a lower bound), is
    the cells taken by their weight per minute, lightest first."""
    shift_minutes = {s.id: s.minutes for s in instance.shifts}
    wanted = sum(c.requirement * shift_minutes[c.shift] for c in instance.cover)
    working = _working(instance)
    missing = wanted - sum(e.max_total_minutes for e in working)
    cells = sorted(
        (c for c in instance.cover if c.requirement > 0 and shift_minutes[c.shift] > 0),
        key=lambda c: c.weight_under / shift_minutes[c.shift],
    )
    cost = 0.0
    for c in cells:
        if missing <= 0:
            break
        minutes = min(missing, c.requirement * shift_minutes[c.shift])
        cost += minutes * c.weight_under / shift_minutes[c.shift]
        missing -= minutes
    return math.ceil(cost - 1e-9)
