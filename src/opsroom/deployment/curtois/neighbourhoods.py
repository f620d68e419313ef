"""The neighbourhoods the search of :mod:`.solve` frees, drawn at random around a roster.

Seven kinds, numbered as the search's bandit counts them:

0. a few employees over the whole horizon;
1. everyone over a window of days;
2. a block of employees x days;
3. aimed at the cover: employees who could fill an under-covered shift (those off that day
   first) and others at random, over the whole horizon;
4. employees choosing among the schedules column generation found (see
   :func:`.colgen.column_submodel`);
5. two short windows, one around an under-covered shift and one around a day worked beyond need,
   so that work can move from the one to the other;
6. everyone over a window of days holding an under-covered shift.

Every kind aims at about a target number of (employee, day, shift) cells, which the search adapts.
"""

from __future__ import annotations

import math
import random

from opsroom.deployment.curtois.colgen import ColumnGeneration
from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import OFF, Neighbourhood, Roster

__all__ = [
    "AROUND",
    "KINDS",
    "PAIRED",
    "SCHEDULES",
    "TARGETED",
    "cells",
    "pick",
    "pick_by_schedules",
]

KINDS = 7
TARGETED = 3  # the kind of neighbourhood aimed at an under-covered shift
SCHEDULES = 4  # the kind that recombines schedules found by column generation
PAIRED = 5  # two windows of days: around a shortfall, and around a day worked beyond need
AROUND = 6  # everyone over a window of days holding a shortfall
_AROUND_DAYS = 4  # days of that window at least

Shortfall = tuple[int, int, int]  # (day, shift, penalty)


def cells(instance: Instance, employees: list[int], days: int) -> int:
    """How many (employee, day, shift) cells ``employees`` have over ``days`` days."""
    total = 0
    for e in employees:
        allowed = sum(1 for s in instance.shifts if instance.staff[e].max_shifts.get(s.id, 0) > 0)
        total += allowed * days
    return total


def pick_by_schedules(columns: ColumnGeneration, rng: random.Random, target: int) -> list[int]:
    """Employees at random until their known schedules number about ``target``."""
    order = list(range(len(columns.columns)))
    rng.shuffle(order)
    chosen: list[int] = []
    total = 0
    for e in order:
        if len(chosen) >= 2 and total >= target:
            break
        chosen.append(e)
        total += len(columns.columns[e]) + 1
    return chosen


def pick(
    instance: Instance,
    rng: random.Random,
    kind: int,
    target_cells: int,
    roster: Roster,
    shortfalls: list[Shortfall],
    excess: list[tuple[int, int]],
) -> Neighbourhood:
    """A random neighbourhood of ``kind`` (any but :data:`SCHEDULES`) of about ``target_cells``
    cells. The kinds aimed at the cover fall back to a few employees over the whole horizon when
    nothing is under-covered."""
    n_staff, horizon = len(instance.staff), instance.horizon
    per_cell = max(1, cells(instance, list(range(n_staff)), 1) // n_staff)  # shifts per emp-day
    if kind == TARGETED and shortfalls:
        k = max(2, min(n_staff, target_cells // (per_cell * horizon)))
        day, shift, _ = _draw(rng, shortfalls)
        chosen = _around_shortfall(instance, rng, roster, day, shift, k, off_first=True)
        return Neighbourhood(employees=chosen, first_day=0, last_day=horizon - 1)
    if kind == PAIRED and shortfalls:
        return _pick_paired(instance, rng, target_cells, roster, shortfalls, excess, per_cell)
    if kind == AROUND and shortfalls:
        return _pick_around(rng, target_cells, shortfalls, n_staff, horizon, per_cell)
    if kind in (0, TARGETED, PAIRED):
        k = max(2, min(n_staff, target_cells // (per_cell * horizon)))
        return Neighbourhood(
            employees=tuple(sorted(rng.sample(range(n_staff), k))),
            first_day=0,
            last_day=horizon - 1,
        )
    if kind in (1, AROUND):
        days = max(2, min(horizon, target_cells // (per_cell * n_staff)))
        first = rng.randrange(0, horizon - days + 1)
        return Neighbourhood(
            employees=tuple(range(n_staff)), first_day=first, last_day=first + days - 1
        )
    k = max(2, min(n_staff, int(math.sqrt(target_cells / per_cell) * 0.7)))
    days = max(7, min(horizon, target_cells // (per_cell * k)))
    first = rng.randrange(0, horizon - days + 1)
    return Neighbourhood(
        employees=tuple(sorted(rng.sample(range(n_staff), k))),
        first_day=first,
        last_day=first + days - 1,
    )


def _pick_around(
    rng: random.Random,
    target_cells: int,
    shortfalls: list[Shortfall],
    n_staff: int,
    horizon: int,
    per_cell: int,
) -> Neighbourhood:
    """Everyone over ``_AROUND_DAYS`` days or more (as many as ``target_cells`` allows) holding an
    under-covered shift, and the whole weekend when it falls on one: employees may work a number
    of weekends, a weekend worked on one day counts as much as one worked on both, so the two
    days are settled together, and a one-day weekend becomes a whole one only when the shift
    types around it are chosen again for several employees at once."""
    days = min(horizon, max(_AROUND_DAYS, target_cells // (per_cell * n_staff)))
    day = rng.choice(sorted({d for d, _, _ in shortfalls}))
    low = day - 1 if day % 7 == 6 else day
    high = day + 1 if day % 7 == 5 and day + 1 < horizon else day
    first = rng.randint(max(0, high - days + 1), max(0, min(low, horizon - days)))
    return Neighbourhood(
        employees=tuple(range(n_staff)), first_day=first, last_day=first + days - 1
    )


def _draw(rng: random.Random, shortfalls: list[Shortfall]) -> Shortfall:
    """An under-covered cell, drawn in proportion to its penalty."""
    return rng.choices(shortfalls, weights=[p for _, _, p in shortfalls])[0]


def _around_shortfall(
    instance: Instance,
    rng: random.Random,
    roster: Roster,
    day: int,
    shift: int,
    k: int,
    *,
    off_first: bool,
) -> tuple[int, ...]:
    """``k`` employees (sorted): half of them able to work ``shift`` on ``day`` and not working
    it now (with ``off_first``, those off that day before the others), the rest at random."""
    n_staff = len(instance.staff)
    shift_id = instance.shifts[shift].id
    able = [
        e
        for e in range(n_staff)
        if instance.staff[e].max_shifts.get(shift_id, 0) > 0
        and day not in instance.staff[e].days_off
        and roster[e][day] != shift
    ]
    rng.shuffle(able)
    if off_first:
        able.sort(key=lambda e: roster[e][day] != OFF)
    chosen = set(able[: max(1, k // 2)])
    others = [e for e in range(n_staff) if e not in chosen]
    chosen.update(rng.sample(others, min(len(others), k - len(chosen))))
    return tuple(sorted(chosen))


def _pick_paired(
    instance: Instance,
    rng: random.Random,
    target_cells: int,
    roster: Roster,
    shortfalls: list[Shortfall],
    excess: list[tuple[int, int]],
    per_cell: int,
) -> Neighbourhood:
    """Two short windows of days: one around an under-covered shift, the other around a day
    worked beyond need (any other day when there is none). Employees freed over both can move
    work from the one to the other while their totals (minutes, shifts of each type, weekends)
    stay within limits, which a single window cannot do; half of them are employees who could
    fill the shortfall, the rest at random."""
    n_staff, horizon = len(instance.staff), instance.horizon
    day, shift, _ = _draw(rng, shortfalls)
    length = rng.randint(2, 4)
    if target_cells > per_cell * 2 * length * n_staff:  # everyone fits: longer windows instead
        length = max(length, min(7, horizon // 4, target_cells // (per_cell * 2 * n_staff)))
    first = min(max(0, day - rng.randrange(length)), horizon - length)
    window = set(range(first, first + length))
    elsewhere = [(d, w) for d, w in excess if d not in window]
    if elsewhere:
        other = rng.choices([d for d, _ in elsewhere], weights=[w for _, w in elsewhere])[0]
    else:
        other = rng.choice([d for d in range(horizon) if d not in window] or [day])
    second = min(max(0, other - rng.randrange(length)), horizon - length)
    k = max(2, min(n_staff, target_cells // max(1, per_cell * 2 * length)))
    return Neighbourhood(
        employees=_around_shortfall(instance, rng, roster, day, shift, k, off_first=False),
        first_day=first,
        last_day=first + length - 1,
        also=(second, second + length - 1),
    )
