"""Simulated annealing over whole Curtois rosters, compiled with Numba.

The CP-SAT neighbourhoods of :mod:`.solve` prove small pieces of a roster optimal, but each costs
milliseconds to build and solve, so a minute holds a few hundred of them, and they need a feasible
roster to start from, which CP-SAT builds employee by employee (17 s on the 120-employee,
18-shift Instance13). Annealing makes three to four million small moves a second per core
instead, and accepts a worse roster now and then (with probability
``exp(-delta / temperature)``), so work drifts between employees across the whole horizon one
step at a time.

The hard rules of the benchmark (those of :mod:`.check`) may break on the way: a roster's
*broken* count adds, per employee, each day off worked, each forbidden succession, each shift
beyond a type's maximum, each started 4 hours above the maximum or below the minimum of minutes
worked, each weekend beyond the maximum, each day beyond the longest run allowed and each day
missing from a run of work or of days off shorter than its minimum (runs touching the horizon's
ends are exempt, as in the checker). A move is judged by its change of objective plus ``weight``
times its change of broken rules, so annealing can start from an empty roster and find a feasible
one on its own. Moves never put anyone to work on a day off or on a shift type they may never
work. Only rosters that break nothing are kept as the best. The objective and the broken count
are kept up to date from the changed cells alone: each employee's totals (shifts per type,
minutes, days worked per weekend) are stored, and a change of a few days re-reads only the runs
it can touch, so a move costs the same on 364 days as on 28; ``anneal`` recounts both from
scratch at its end and raises if they drifted.

The moves:

- *swap*: two employees exchange their blocks of 1 to ``MAX_BLOCK`` days (the cover stays as it
  is: only the requests and each employee's rules are at stake);
- *cover*: one employee on one day takes a shift type that is under-covered that day, or leaves a
  shift that is over-covered;
- *change*: one employee, a block of 1 to ``MAX_BLOCK`` days, set to days off, to one shift type,
  to other shift types on the days worked, or to random values.

The defaults (temperature 100 down to 2, weight 1,000 a broken rule) were chosen on the benchmark
(``docs/deployment.md`` §6): a temperature of 100 lets a shift go uncovered (weight 100 on most
instances) for a while early on. The kernel releases the interpreter, so :func:`anneal_chains`
runs one chain per core at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numba import njit

from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import OFF, Roster

__all__ = [
    "MAX_BLOCK",
    "AnnealResult",
    "Arrays",
    "anneal",
    "anneal_chains",
    "broken_rules",
    "instance_arrays",
    "roster_cost",
]

MAX_BLOCK = 7  # days a change or a swap covers at most
T_FIRST = 100.0
T_LAST = 2.0
WEIGHT = 1000.0  # objective units per broken rule
_CHUNK = 20_000  # moves per call of the kernel; the clock is read between calls
_NEVER = 1 << 60  # the best value before any feasible roster is seen

IntArray = npt.NDArray[np.int64]
Clock = Callable[[], float]


@dataclass(frozen=True, kw_only=True)
class Arrays:
    """An instance as arrays the kernel reads (``OFF`` is the last index of a cell's values)."""

    minutes: IntArray  # [shift]
    forbid: IntArray  # [shift, next shift] 1 where the next may not follow
    max_shifts: IntArray  # [employee, shift]
    limits: IntArray  # [employee, 6]: max/min minutes, max/min run, min days off, max weekends
    day_off: IntArray  # [employee, day] 1 on a fixed day off
    cell_cost: IntArray  # [employee, day, shift + 1]: request penalty of each value of a cell
    need: IntArray  # [day, shift]
    under: IntArray  # [day, shift]
    over: IntArray  # [day, shift]


def instance_arrays(instance: Instance) -> Arrays:
    """The arrays of ``instance`` that the kernel reads."""
    n_staff, horizon, n_shifts = len(instance.staff), instance.horizon, len(instance.shifts)
    minutes = np.array([s.minutes for s in instance.shifts], dtype=np.int64)
    forbid = np.zeros((n_shifts, n_shifts), dtype=np.int64)
    for s, shift in enumerate(instance.shifts):
        for t in shift.cannot_follow:
            forbid[s, instance.shift_index(t)] = 1
    max_shifts = np.zeros((n_staff, n_shifts), dtype=np.int64)
    limits = np.zeros((n_staff, 6), dtype=np.int64)
    day_off = np.zeros((n_staff, horizon), dtype=np.int64)
    index = {}
    for e, staff in enumerate(instance.staff):
        index[staff.id] = e
        for s, shift in enumerate(instance.shifts):
            max_shifts[e, s] = staff.max_shifts.get(shift.id, 0)
        limits[e] = (
            staff.max_total_minutes,
            staff.min_total_minutes,
            staff.max_consecutive_shifts,
            staff.min_consecutive_shifts,
            staff.min_consecutive_days_off,
            staff.max_weekends,
        )
        for d in staff.days_off:
            day_off[e, d] = 1
    cell_cost = np.zeros((n_staff, horizon, n_shifts + 1), dtype=np.int64)
    for r in instance.on_requests:
        e, s = index[r.employee], instance.shift_index(r.shift)
        cell_cost[e, r.day, :] += r.weight
        cell_cost[e, r.day, s] -= r.weight
    for r in instance.off_requests:
        e, s = index[r.employee], instance.shift_index(r.shift)
        cell_cost[e, r.day, s] += r.weight
    need = np.zeros((horizon, n_shifts), dtype=np.int64)
    under = np.zeros((horizon, n_shifts), dtype=np.int64)
    over = np.zeros((horizon, n_shifts), dtype=np.int64)
    for c in instance.cover:
        s = instance.shift_index(c.shift)
        need[c.day, s] = c.requirement
        under[c.day, s] = c.weight_under
        over[c.day, s] = c.weight_over
    return Arrays(
        minutes=minutes,
        forbid=forbid,
        max_shifts=max_shifts,
        limits=limits,
        day_off=day_off,
        cell_cost=cell_cost,
        need=need,
        under=under,
        over=over,
    )


def roster_cost(arrays: Arrays, roster: IntArray) -> int:
    """The objective of ``roster`` (requests and cover), as the kernel counts it."""
    return int(_cost(roster, arrays.cell_cost, arrays.need, arrays.under, arrays.over))


@njit(cache=True, nogil=True)
def _cover_cost(need: int, under: int, over: int, have: int) -> int:  # pragma: no cover - jitted
    if have < need:
        return (need - have) * under
    return (have - need) * over


@njit(cache=True, nogil=True)
def _cost(roster, cell_cost, need, under, over):  # type: ignore[no-untyped-def]  # pragma: no cover
    n_staff, horizon = roster.shape
    n_shifts = need.shape[1]
    total = 0
    count = np.zeros((horizon, n_shifts), dtype=np.int64)
    for e in range(n_staff):
        for d in range(horizon):
            s = roster[e, d]
            total += cell_cost[e, d, s if s >= 0 else n_shifts]
            if s >= 0:
                count[d, s] += 1
    for d in range(horizon):
        for s in range(n_shifts):
            total += _cover_cost(need[d, s], under[d, s], over[d, s], count[d, s])
    return total


@njit(cache=True, nogil=True)
def _violation(row, e, minutes, forbid, max_shifts, limits, day_off, used):  # type: ignore[no-untyped-def]  # pragma: no cover
    """How far one employee's row is from keeping its rules (0 when it keeps them all)."""
    horizon = row.shape[0]
    n_shifts = minutes.shape[0]
    for s in range(n_shifts):
        used[s] = 0
    total = 0
    weekends = 0
    amount = 0
    for d in range(horizon):
        s = row[d]
        if s < 0:
            continue
        amount += day_off[e, d]
        used[s] += 1
        total += minutes[s]
        if d + 1 < horizon and row[d + 1] >= 0 and forbid[s, row[d + 1]] == 1:
            amount += 1
    for s in range(n_shifts):
        if used[s] > max_shifts[e, s]:
            amount += used[s] - max_shifts[e, s]
    if total > limits[e, 0]:
        amount += (total - limits[e, 0] + 239) // 240
    elif total < limits[e, 1]:
        amount += (limits[e, 1] - total + 239) // 240
    for w in range((horizon + 1) // 7):
        sat = 7 * w + 5
        sun = 7 * w + 6
        if (sat < horizon and row[sat] >= 0) or (sun < horizon and row[sun] >= 0):
            weekends += 1
    if weekends > limits[e, 5]:
        amount += weekends - limits[e, 5]
    start = 0
    for d in range(1, horizon + 1):
        if d == horizon or (row[d] >= 0) != (row[start] >= 0):
            length = d - start
            edge = start == 0 or d == horizon
            if row[start] >= 0:
                if length > limits[e, 2]:
                    amount += length - limits[e, 2]
                if not edge and length < limits[e, 3]:
                    amount += limits[e, 3] - length
            elif not edge and length < limits[e, 4]:
                amount += limits[e, 4] - length
            start = d
    return amount


@njit(cache=True, nogil=True)
def _minutes_broken(total, e, limits):  # type: ignore[no-untyped-def]  # pragma: no cover
    if total > limits[e, 0]:
        return (total - limits[e, 0] + 239) // 240
    if total < limits[e, 1]:
        return (limits[e, 1] - total + 239) // 240
    return 0


@njit(cache=True, nogil=True)
def _runs_broken(row, e, start, end, limits):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Broken run rules of the runs inside days ``start``..``end`` (each a whole run)."""
    horizon = row.shape[0]
    amount = 0
    first = start
    for d in range(start + 1, end + 2):
        if d == end + 1 or (row[d] >= 0) != (row[first] >= 0):
            length = d - first
            edge = first == 0 or d == horizon
            if row[first] >= 0:
                if length > limits[e, 2]:
                    amount += length - limits[e, 2]
                if not edge and length < limits[e, 3]:
                    amount += limits[e, 3] - length
            elif not edge and length < limits[e, 4]:
                amount += limits[e, 4] - length
            first = d
    return amount


@njit(cache=True, nogil=True)
def _region(row, first, last):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The days of the whole runs that a change of days ``first``..``last`` can touch: from the
    start of the run holding ``first - 1`` to the end of the run holding ``last + 1``."""
    horizon = row.shape[0]
    start = first
    if first > 0:
        start = first - 1
        worked = row[first - 1] >= 0
        while start > 0 and (row[start - 1] >= 0) == worked:
            start -= 1
    end = last
    if last < horizon - 1:
        end = last + 1
        worked = row[last + 1] >= 0
        while end < horizon - 1 and (row[end + 1] >= 0) == worked:
            end += 1
    return start, end


@njit(cache=True, nogil=True)
def _local_broken(row, e, first, last, start, end, forbid, limits, day_off):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The broken rules of a row that a change of days ``first``..``last`` can alter, other than
    its totals: days off worked, successions touching the days, and the runs of the region."""
    horizon = row.shape[0]
    amount = 0
    for d in range(first, last + 1):
        if row[d] >= 0:
            amount += day_off[e, d]
    for d in range(max(0, first - 1), min(last, horizon - 2) + 1):
        if row[d] >= 0 and row[d + 1] >= 0 and forbid[row[d], row[d + 1]] == 1:
            amount += 1
    return amount + _runs_broken(row, e, start, end, limits)


@njit(cache=True, nogil=True)
def _totals_broken(e, used, total, weekends, max_shifts, limits):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The broken rules of an employee's totals: shifts per type, minutes, weekends."""
    amount = _minutes_broken(total[e], e, limits)
    for s in range(used.shape[1]):
        if used[e, s] > max_shifts[e, s]:
            amount += used[e, s] - max_shifts[e, s]
    if weekends[e] > limits[e, 5]:
        amount += weekends[e] - limits[e, 5]
    return amount


@njit(cache=True, nogil=True)
def _set_block(  # type: ignore[no-untyped-def]  # pragma: no cover - jitted
    roster,
    e,
    first,
    last,
    values,
    saved,
    used,
    total,
    weekend_days,
    weekends,
    minutes,
    forbid,
    max_shifts,
    limits,
    day_off,
):
    """Put ``values[first..last]`` into row ``e`` (its old values into ``saved``), keep the
    employee's totals up to date, and return the change of its broken rules."""
    row = roster[e]
    start, end = _region(row, first, last)
    before = _local_broken(row, e, first, last, start, end, forbid, limits, day_off)
    before += _totals_broken(e, used, total, weekends, max_shifts, limits)
    for d in range(first, last + 1):
        s = row[d]
        t = values[d]
        saved[d] = s
        if s == t:
            continue
        if s >= 0:
            used[e, s] -= 1
            total[e] -= minutes[s]
        if t >= 0:
            used[e, t] += 1
            total[e] += minutes[t]
        if d % 7 >= 5 and (s >= 0) != (t >= 0):
            w = d // 7
            if t >= 0:
                weekend_days[e, w] += 1
                if weekend_days[e, w] == 1:
                    weekends[e] += 1
            else:
                weekend_days[e, w] -= 1
                if weekend_days[e, w] == 0:
                    weekends[e] -= 1
        row[d] = t
    after = _local_broken(row, e, first, last, start, end, forbid, limits, day_off)
    after += _totals_broken(e, used, total, weekends, max_shifts, limits)
    return after - before


@njit(cache=True, nogil=True)
def _totals(roster, minutes, used, total, weekend_days, weekends):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Fill each employee's totals (shifts per type, minutes, days worked per weekend, weekends)."""
    n_staff, horizon = roster.shape
    used[:, :] = 0
    total[:] = 0
    weekend_days[:, :] = 0
    weekends[:] = 0
    for e in range(n_staff):
        for d in range(horizon):
            s = roster[e, d]
            if s < 0:
                continue
            used[e, s] += 1
            total[e] += minutes[s]
            if d % 7 >= 5:
                weekend_days[e, d // 7] += 1
        for w in range(weekend_days.shape[1]):
            if weekend_days[e, w] > 0:
                weekends[e] += 1


@njit(cache=True, nogil=True)
def _kernel(  # type: ignore[no-untyped-def]  # pragma: no cover - jitted
    roster,
    count,
    viol,
    used,
    total,
    weekend_days,
    weekends,
    value,
    moves,
    t_first,
    t_last,
    weight,
    best,
    best_value,
    minutes,
    forbid,
    max_shifts,
    limits,
    day_off,
    cell_cost,
    need,
    under,
    over,
):
    """``moves`` moves from ``roster`` (changed in place, with ``count``, ``viol`` and the
    employees' totals kept up to date), the temperature falling geometrically from ``t_first`` to
    ``t_last``; a move is judged by its change of objective plus ``weight`` times its change of
    broken rules. ``best`` receives every roster that keeps every rule and beats ``best_value``.
    Returns ``(value, best_value, accepted, broken)``."""
    n_staff, horizon = roster.shape
    n_shifts = minutes.shape[0]
    new = np.empty(horizon, dtype=np.int64)
    old = np.empty(horizon, dtype=np.int64)
    other = np.empty(horizon, dtype=np.int64)
    scratch = np.empty(horizon, dtype=np.int64)
    broken = 0
    for e in range(n_staff):
        broken += viol[e]
    accepted = 0
    ratio = t_last / t_first if t_first > 0 else 1.0
    step = ratio ** (1.0 / moves) if moves > 0 else 1.0
    temperature = t_first
    for _ in range(moves):
        temperature *= step
        kind = np.random.random()
        if kind < 0.4:
            # Swap a block of days between two employees: the cover stays as it is.
            a = np.random.randint(n_staff)
            b = np.random.randint(n_staff)
            if a == b:
                continue
            length = 1 + np.random.randint(min(MAX_BLOCK, horizon))
            first = np.random.randint(horizon - length + 1)
            last = first + length - 1
            delta = 0
            differs = False
            for d in range(first, last + 1):
                sa = roster[a, d]
                sb = roster[b, d]
                new[d] = sb
                if sa == sb:
                    continue
                if (sb >= 0 and (max_shifts[a, sb] == 0 or day_off[a, d] == 1)) or (
                    sa >= 0 and (max_shifts[b, sa] == 0 or day_off[b, d] == 1)
                ):
                    differs = False
                    break
                differs = True
                ia = sa if sa >= 0 else n_shifts
                ib = sb if sb >= 0 else n_shifts
                delta += cell_cost[a, d, ib] - cell_cost[a, d, ia]
                delta += cell_cost[b, d, ia] - cell_cost[b, d, ib]
            if not differs:
                continue
            change_a = _set_block(
                roster,
                a,
                first,
                last,
                new,
                old,
                used,
                total,
                weekend_days,
                weekends,
                minutes,
                forbid,
                max_shifts,
                limits,
                day_off,
            )
            change_b = _set_block(
                roster,
                b,
                first,
                last,
                old,
                other,
                used,
                total,
                weekend_days,
                weekends,
                minutes,
                forbid,
                max_shifts,
                limits,
                day_off,
            )
            change = change_a + change_b
            if _accept(delta + weight * change, temperature):
                viol[a] += change_a
                viol[b] += change_b
                value += delta
                broken += change
                accepted += 1
            else:
                _set_block(
                    roster,
                    b,
                    first,
                    last,
                    other,
                    scratch,
                    used,
                    total,
                    weekend_days,
                    weekends,
                    minutes,
                    forbid,
                    max_shifts,
                    limits,
                    day_off,
                )
                _set_block(
                    roster,
                    a,
                    first,
                    last,
                    old,
                    scratch,
                    used,
                    total,
                    weekend_days,
                    weekends,
                    minutes,
                    forbid,
                    max_shifts,
                    limits,
                    day_off,
                )
                continue
        else:
            # Change one employee's block of days.
            e = np.random.randint(n_staff)
            if kind < 0.6:
                # Cover: one day, towards an under-covered shift or away from an over-covered one.
                first = np.random.randint(horizon)
                last = first
                current = roster[e, first]
                pick = -2
                seen = 0
                for s in range(n_shifts):
                    if count[first, s] < need[first, s] and s != current and max_shifts[e, s] > 0:
                        seen += 1
                        if np.random.randint(seen) == 0:
                            pick = s
                if pick == -2:
                    if current >= 0 and count[first, current] > need[first, current]:
                        pick = OFF
                    else:
                        continue
                new[first] = pick
            else:
                length = 1 + np.random.randint(min(MAX_BLOCK, horizon))
                first = np.random.randint(horizon - length + 1)
                last = first + length - 1
                mode = np.random.randint(4)
                single = np.random.randint(n_shifts)
                for d in range(first, last + 1):
                    if mode == 0:
                        new[d] = OFF
                    elif mode == 1:
                        new[d] = single
                    elif mode == 2:
                        new[d] = np.random.randint(n_shifts) if roster[e, d] >= 0 else OFF
                    else:
                        new[d] = np.random.randint(n_shifts + 1) - 1
            delta = 0
            differs = False
            for d in range(first, last + 1):
                s = roster[e, d]
                t = new[d]
                if s == t:
                    continue
                if t >= 0 and (max_shifts[e, t] == 0 or day_off[e, d] == 1):
                    differs = False
                    break
                differs = True
                delta += cell_cost[e, d, t if t >= 0 else n_shifts]
                delta -= cell_cost[e, d, s if s >= 0 else n_shifts]
                if s >= 0:
                    have = count[d, s]
                    delta += _cover_cost(need[d, s], under[d, s], over[d, s], have - 1)
                    delta -= _cover_cost(need[d, s], under[d, s], over[d, s], have)
                if t >= 0:
                    have = count[d, t]
                    delta += _cover_cost(need[d, t], under[d, t], over[d, t], have + 1)
                    delta -= _cover_cost(need[d, t], under[d, t], over[d, t], have)
            if not differs:
                continue
            change = _set_block(
                roster,
                e,
                first,
                last,
                new,
                old,
                used,
                total,
                weekend_days,
                weekends,
                minutes,
                forbid,
                max_shifts,
                limits,
                day_off,
            )
            if not _accept(delta + weight * change, temperature):
                _set_block(
                    roster,
                    e,
                    first,
                    last,
                    old,
                    scratch,
                    used,
                    total,
                    weekend_days,
                    weekends,
                    minutes,
                    forbid,
                    max_shifts,
                    limits,
                    day_off,
                )
                continue
            for d in range(first, last + 1):
                s = old[d]
                t = new[d]
                if s != t:
                    if s >= 0:
                        count[d, s] -= 1
                    if t >= 0:
                        count[d, t] += 1
            viol[e] += change
            value += delta
            broken += change
            accepted += 1
        if broken == 0 and value < best_value:
            best_value = value
            best[:, :] = roster
    return value, best_value, accepted, broken


@njit(cache=True, nogil=True)
def _accept(delta: float, temperature: float) -> bool:  # pragma: no cover - jitted
    if delta <= 0:
        return True
    if temperature <= 0.0:
        return False
    return bool(np.random.random() < np.exp(-delta / temperature))


@njit(cache=True, nogil=True)
def _seed(seed: int) -> None:  # pragma: no cover - jitted
    np.random.seed(seed)


def broken_rules(arrays: Arrays, roster: IntArray) -> IntArray:
    """Each employee's count of broken rules (0 where the row keeps them all)."""
    used = np.zeros(arrays.minutes.shape[0], dtype=np.int64)
    return np.array(
        [
            _violation(
                roster[e],
                e,
                arrays.minutes,
                arrays.forbid,
                arrays.max_shifts,
                arrays.limits,
                arrays.day_off,
                used,
            )
            for e in range(roster.shape[0])
        ],
        dtype=np.int64,
    )


@dataclass(frozen=True, kw_only=True)
class AnnealResult:
    """The best feasible roster a chain saw (``None`` if it never saw one), its objective, how
    many moves it tried and accepted, and the roster it ended on with each employee's count of
    broken rules there (for a caller to mend the rows still breaking one)."""

    roster: Roster | None
    objective: int | None
    moves: int
    accepted: int
    last: Roster
    last_broken: tuple[int, ...]


def anneal(
    arrays: Arrays,
    roster: Roster,
    *,
    seconds: float,
    seed: int,
    t_first: float = T_FIRST,
    t_last: float = T_LAST,
    weight: float = WEIGHT,
    clock: Clock = time.monotonic,
) -> AnnealResult:
    """Anneal from ``roster`` (feasible or not) for ``seconds``; return the best feasible roster
    seen, never worse than ``roster`` when that is feasible. The temperature falls geometrically
    from ``t_first`` to ``t_last`` over the time given."""
    if seconds <= 0 or t_first <= 0 or t_last <= 0 or weight <= 0:
        raise ValueError("anneal needs positive seconds, temperatures and weight")
    current = np.array(roster, dtype=np.int64)
    n_shifts = arrays.minutes.shape[0]
    count = np.zeros((current.shape[1], n_shifts), dtype=np.int64)
    for row in current:
        for d, s in enumerate(row):
            if s != OFF:
                count[d, s] += 1
    viol = broken_rules(arrays, current)
    n_staff, horizon = current.shape
    used = np.zeros((n_staff, n_shifts), dtype=np.int64)
    total = np.zeros(n_staff, dtype=np.int64)
    weekend_days = np.zeros((n_staff, max(1, (horizon + 1) // 7)), dtype=np.int64)
    weekends = np.zeros(n_staff, dtype=np.int64)
    _totals(current, arrays.minutes, used, total, weekend_days, weekends)
    value = roster_cost(arrays, current)
    best = current.copy()
    best_value = value if int(viol.sum()) == 0 else _NEVER
    _seed(seed)
    began = clock()
    moves = accepted = 0
    while (elapsed := clock() - began) < seconds:
        share = elapsed / seconds
        t_now = t_first * (t_last / t_first) ** share
        t_next = t_first * (t_last / t_first) ** min(1.0, share + 0.01)
        value, best_value, took, _ = _kernel(
            current,
            count,
            viol,
            used,
            total,
            weekend_days,
            weekends,
            value,
            _CHUNK,
            t_now,
            t_next,
            weight,
            best,
            best_value,
            arrays.minutes,
            arrays.forbid,
            arrays.max_shifts,
            arrays.limits,
            arrays.day_off,
            arrays.cell_cost,
            arrays.need,
            arrays.under,
            arrays.over,
        )
        moves += _CHUNK
        accepted += int(took)
    # What was kept up to date move by move must equal a count from scratch.
    if value != roster_cost(arrays, current) or not np.array_equal(
        viol, broken_rules(arrays, current)
    ):
        raise RuntimeError("annealing lost track of the roster's objective or broken rules")
    found = best_value != _NEVER
    return AnnealResult(
        roster=[[int(s) for s in row] for row in best] if found else None,
        objective=int(best_value) if found else None,
        moves=moves,
        accepted=accepted,
        last=[[int(s) for s in row] for row in current],
        last_broken=tuple(int(v) for v in viol),
    )


def anneal_chains(
    arrays: Arrays,
    roster: Roster,
    *,
    seconds: float,
    seeds: list[int],
    clock: Clock = time.monotonic,
) -> AnnealResult:
    """One chain per seed, each on its own thread (the kernel releases the interpreter), all from
    ``roster``; the best chain's result (the lowest objective, or where none found a feasible
    roster, the fewest broken rules at the end), with the moves of all."""
    results: list[AnnealResult | None] = [None] * len(seeds)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = anneal(arrays, roster, seconds=seconds, seed=seeds[i], clock=clock)
        except BaseException as exc:  # re-raised below, on the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(seeds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    done = [r for r in results if r is not None]
    found = [r for r in done if r.objective is not None]
    if found:
        best = min(found, key=lambda r: r.objective or 0)
    else:
        best = min(done, key=lambda r: sum(r.last_broken))
    return AnnealResult(
        roster=best.roster,
        objective=best.objective,
        moves=sum(r.moves for r in done),
        accepted=sum(r.accepted for r in done),
        last=best.last,
        last_broken=best.last_broken,
    )
