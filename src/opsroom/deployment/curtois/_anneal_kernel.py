"""The compiled kernel of :mod:`.anneal`: the moves, the rule count kept up to date move by move,
and the objective, over a roster held as an array (``OFF`` for a day off).

Each employee's totals are stored (shifts per type, minutes, days worked per weekend, weekends);
a change of days ``first``..``last`` re-reads only the days it touches, the successions around
them and the whole runs from the run holding ``first - 1`` to the run holding ``last + 1``, so a
move costs the same on 364 days as on 28. A move whose employees break no rule is turned down
before it touches the roster when its change of objective alone, or that plus the minutes it
would put out of bounds, fails the acceptance test; a change put back is not counted again.
Late in a chain on Instance13 about 99 % of the moves end before the roster is touched.
``_violation`` counts one row from scratch: the annealing starts from it and checks against it
at its end.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from opsroom.deployment.curtois.model import OFF

MAX_BLOCK = 7  # days a change or a swap covers at most
SWAP_SHARE = 0.4  # of the moves: two employees swap a block of days
COVER_SHARE = 0.2  # of the moves: one day towards the cover
EXCHANGE_SHARE = 0.15  # of the moves: one employee's two blocks of days exchanged
SAME_WEEKDAYS = 0.5  # of those: the second block on the same weekdays of another week
GIVE_UP = 0.5  # of the cover moves that put someone to work: another day of theirs given up
RETYPE = 0.5  # of the others: another day of theirs takes a shorter shift type

NO_COUNT, COUNT, COUNT_CLEAN = 0, 1, 2  # how _set_block counts the broken rules of a change


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
    amount += _minutes_broken(total, e, limits)
    for w in range((horizon + 1) // 7):
        sat = 7 * w + 5
        sun = 7 * w + 6
        if (sat < horizon and row[sat] >= 0) or (sun < horizon and row[sun] >= 0):
            weekends += 1
    if weekends > limits[e, 5]:
        amount += weekends - limits[e, 5]
    return amount + _runs_broken(row, e, 0, horizon - 1, limits)


@njit(cache=True, nogil=True)
def _minutes_broken(total, e, limits):  # type: ignore[no-untyped-def]  # pragma: no cover
    if total > limits[e, 0]:
        return (total - limits[e, 0] + 239) // 240
    if total < limits[e, 1]:
        return (limits[e, 1] - total + 239) // 240
    return 0


@njit(cache=True, nogil=True)
def _after(row, d, first, last, values, first2, last2, values2):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Day ``d`` of ``row`` once it takes ``values[first..last]`` and ``values2[first2..last2]``."""
    if first <= d <= last:
        return values[d]
    if first2 >= 0 and first2 <= d <= last2:
        return values2[d]
    return row[d]


@njit(cache=True, nogil=True)
def _halves_change(row, first, last, values, first2, last2, values2):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The change of the count of weekends worked on one day only, if ``row`` takes
    ``values[first..last]`` and (with ``first2 >= 0``) ``values2[first2..last2]``."""
    horizon = row.shape[0]
    change = 0
    for block in range(2):
        if block == 0:
            lo, hi = first // 7, last // 7
        elif first2 >= 0:
            lo, hi = first2 // 7, last2 // 7
        else:
            break
        for w in range(lo, hi + 1):
            if block == 1 and first // 7 <= w <= last // 7:
                continue  # counted with the first block
            sat = 7 * w + 5
            sun = sat + 1
            if sun >= horizon:
                continue
            before = (row[sat] >= 0) != (row[sun] >= 0)
            a = _after(row, sat, first, last, values, first2, last2, values2) >= 0
            b = _after(row, sun, first, last, values, first2, last2, values2) >= 0
            change += int(a != b) - int(before)
    return change


@njit(cache=True, nogil=True)
def _total_after(row, first, last, values, total, minutes):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The employee's minutes if ``row`` took ``values[first..last]``."""
    for d in range(first, last + 1):
        s = row[d]
        t = values[d]
        if s != t:
            if s >= 0:
                total -= minutes[s]
            if t >= 0:
                total += minutes[t]
    return total


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
def _set_block(roster, e, first, last, values, saved, state, rules, count):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Put ``values[first..last]`` into row ``e`` (its old values into ``saved``), keep the
    employee's totals up to date, and return the change of its broken rules. ``state`` holds the
    totals ``(used, total, weekend_days, weekends)``, ``rules`` the instance's
    ``(minutes, forbid, max_shifts, limits, day_off)``. With ``count`` ``COUNT_CLEAN`` the row
    is known to break no rule before the change; with ``NO_COUNT`` (putting back a change not
    taken) nothing is counted and 0 returned."""
    used, total, weekend_days, weekends = state
    minutes, forbid, max_shifts, limits, day_off = rules
    row = roster[e]
    start = end = 0
    before = 0
    if count == COUNT:
        start, end = _region(row, first, last)
        before = _local_broken(row, e, first, last, start, end, forbid, limits, day_off)
        before += _minutes_broken(total[e], e, limits) + max(0, weekends[e] - limits[e, 5])
    elif count == COUNT_CLEAN:
        start, end = _region(row, first, last)
    beyond = 0  # change of the shifts worked beyond a type's maximum
    for d in range(first, last + 1):
        s = row[d]
        t = values[d]
        saved[d] = s
        if s == t:
            continue
        if s >= 0:
            if used[e, s] > max_shifts[e, s]:
                beyond -= 1
            used[e, s] -= 1
            total[e] -= minutes[s]
        if t >= 0:
            used[e, t] += 1
            total[e] += minutes[t]
            if used[e, t] > max_shifts[e, t]:
                beyond += 1
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
    if count == NO_COUNT:
        return 0
    after = _local_broken(row, e, first, last, start, end, forbid, limits, day_off)
    after += _minutes_broken(total[e], e, limits) + max(0, weekends[e] - limits[e, 5])
    return after - before + beyond


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
    half_weight,
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
    broken rules and ``half_weight`` times its change of weekends worked on one day only (a
    guide: ``value`` stays the objective). ``best`` receives every roster that keeps every rule
    and beats ``best_value``. Returns ``(value, best_value, accepted)``."""
    n_staff, horizon = roster.shape
    n_shifts = minutes.shape[0]
    state = (used, total, weekend_days, weekends)
    rules = (minutes, forbid, max_shifts, limits, day_off)
    cost_arrays = (cell_cost, need, under, over, max_shifts, day_off)
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
        if kind < SWAP_SHARE:
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
            true_delta = delta
            if half_weight > 0:
                delta += half_weight * (
                    _halves_change(roster[a], first, last, new, -1, -1, new)
                    + _halves_change(roster[b], first, last, roster[a], -1, -1, roster[a])
                )
            threshold = _threshold(temperature)
            if viol[a] == 0 and viol[b] == 0:
                if delta > threshold:
                    continue  # rules kept before cannot be mended by it: too costly as it is
                # The minutes alone may break a rule: known without touching the rows.
                total_a = _total_after(roster[a], first, last, new, total[a], minutes)
                total_b = _total_after(roster[b], first, last, roster[a], total[b], minutes)
                least = _minutes_broken(total_a, a, limits) + _minutes_broken(total_b, b, limits)
                if least > 0 and delta + weight * least > threshold:
                    continue
            mode_a = COUNT_CLEAN if viol[a] == 0 else COUNT
            mode_b = COUNT_CLEAN if viol[b] == 0 else COUNT
            change_a = _set_block(roster, a, first, last, new, old, state, rules, mode_a)
            change_b = _set_block(roster, b, first, last, old, other, state, rules, mode_b)
            change = change_a + change_b
            if delta + weight * change <= threshold:
                viol[a] += change_a
                viol[b] += change_b
                value += true_delta
                broken += change
                accepted += 1
            else:
                _set_block(roster, b, first, last, other, scratch, state, rules, NO_COUNT)
                _set_block(roster, a, first, last, old, scratch, state, rules, NO_COUNT)
                continue
        else:
            # One employee's row: a block of days changed, or two blocks (``second``).
            e = np.random.randint(n_staff)
            second = False
            first2 = last2 = 0
            if kind < SWAP_SHARE + EXCHANGE_SHARE:
                # Two blocks of days exchanged, the second on the same weekdays of another week
                # or anywhere else: the employee's totals stay, the runs and the cover change.
                length = 1 + np.random.randint(min(MAX_BLOCK, horizon))
                first = np.random.randint(horizon - length + 1)
                if np.random.random() < SAME_WEEKDAYS:
                    lowest = -(first // 7)
                    highest = (horizon - length - first) // 7
                    if highest == lowest:
                        continue
                    weeks = lowest + np.random.randint(highest - lowest)
                    if weeks >= 0:
                        weeks += 1
                    first2 = first + 7 * weeks
                else:
                    first2 = np.random.randint(horizon - length + 1)
                    if abs(first2 - first) < length:
                        continue
                last = first + length - 1
                last2 = first2 + length - 1
                for d in range(length):
                    new[first + d] = roster[e, first2 + d]
                    other[first2 + d] = roster[e, first + d]
                second = True
            elif kind < SWAP_SHARE + EXCHANGE_SHARE + COVER_SHARE:
                # Cover: one day, towards an under-covered shift or away from an over-covered one;
                # half the time a day off taking a shift gives up another day's shift in return.
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
                if current < 0 and np.random.random() < GIVE_UP:
                    # The day given up ends a run, so the runs keep their shape: the far end of
                    # the run the new day joins, or an end of a run drawn at random.
                    step = 1 if np.random.random() < 0.5 else -1
                    first2 = first + step
                    if np.random.random() < 0.5:
                        first2 = np.random.randint(horizon)
                    if 0 <= first2 < horizon and first2 != first and roster[e, first2] >= 0:
                        while 0 <= first2 + step < horizon and roster[e, first2 + step] >= 0:
                            first2 += step
                        last2 = first2
                        other[first2] = OFF
                        second = True
                elif current < 0 and np.random.random() < RETYPE:
                    # Or another day of theirs takes a shorter shift type, under-covered there
                    # if any is: their minutes may then stay within the limit.
                    first2 = np.random.randint(horizon)
                    u = roster[e, first2]
                    if first2 != first and u >= 0:
                        shorter = -2
                        seen = 0
                        wanted_seen = False  # an under-covered shorter type was met
                        for t in range(n_shifts):
                            if minutes[t] >= minutes[u] or max_shifts[e, t] == 0:
                                continue
                            wanted = count[first2, t] < need[first2, t]
                            if wanted and not wanted_seen:
                                wanted_seen = True
                                seen = 0
                            if wanted or not wanted_seen:
                                seen += 1  # one drawn with equal chance among the best met
                                if np.random.randint(seen) == 0:
                                    shorter = t
                        if shorter >= 0:
                            last2 = first2
                            other[first2] = shorter
                            second = True
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
            delta, differs = _change_cost(roster, e, first, last, new, count, cost_arrays)
            if differs <= 0:
                continue
            if second:
                delta2, differs = _change_cost(roster, e, first2, last2, other, count, cost_arrays)
                if differs < 0:
                    continue
                delta += delta2
            true_delta = delta
            if half_weight > 0:
                delta += half_weight * _halves_change(
                    roster[e], first, last, new, first2 if second else -1, last2, other
                )
            threshold = _threshold(temperature)
            if viol[e] == 0:
                if delta > threshold:
                    continue  # rules kept before cannot be mended by it: too costly as it is
                # The minutes alone may break a rule: known without touching the row.
                total_e = _total_after(roster[e], first, last, new, total[e], minutes)
                if second:
                    total_e = _total_after(roster[e], first2, last2, other, total_e, minutes)
                least = _minutes_broken(total_e, e, limits)
                if least > 0 and delta + weight * least > threshold:
                    continue
            mode = COUNT_CLEAN if viol[e] == 0 else COUNT
            change = _set_block(roster, e, first, last, new, old, state, rules, mode)
            if second:
                change += _set_block(roster, e, first2, last2, other, old, state, rules, COUNT)
            if delta + weight * change > threshold:
                if second:
                    _set_block(roster, e, first2, last2, old, scratch, state, rules, NO_COUNT)
                _set_block(roster, e, first, last, old, scratch, state, rules, NO_COUNT)
                continue
            _count(count, old, new, first, last)
            if second:
                _count(count, old, other, first2, last2)
            viol[e] += change
            value += true_delta
            broken += change
            accepted += 1
        if broken == 0 and value < best_value:
            best_value = value
            best[:, :] = roster
    return value, best_value, accepted


@njit(cache=True, nogil=True)
def _change_cost(roster, e, first, last, new, count, cost_arrays):  # type: ignore[no-untyped-def]  # pragma: no cover
    """The change of objective if row ``e`` takes ``new[first..last]``, and whether the change
    is allowed and real: ``(delta, 1)``; ``(0, 0)`` when nothing changes; ``(0, -1)`` when it
    puts the employee to work on a day off or on a shift type they may never work."""
    cell_cost, need, under, over, max_shifts, day_off = cost_arrays
    n_shifts = need.shape[1]
    delta = 0
    differs = 0
    for d in range(first, last + 1):
        s = roster[e, d]
        t = new[d]
        if s == t:
            continue
        if t >= 0 and (max_shifts[e, t] == 0 or day_off[e, d] == 1):
            return 0, -1
        differs = 1
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
    return delta, differs


@njit(cache=True, nogil=True)
def _count(count, old, new, first, last):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Move the cover counts of days ``first..last`` from ``old`` to ``new`` values."""
    for d in range(first, last + 1):
        s = old[d]
        t = new[d]
        if s != t:
            if s >= 0:
                count[d, s] -= 1
            if t >= 0:
                count[d, t] += 1


@njit(cache=True, nogil=True)
def _threshold(temperature: float) -> float:  # pragma: no cover - jitted
    """How much worse a move may make the roster and still be taken: ``-T ln u`` for a uniform
    ``u``, so a move worse by ``x`` is taken with probability ``exp(-x / T)``."""
    u = np.random.random()
    if u <= 0.0:
        return np.inf
    return float(-temperature * np.log(u))


@njit(cache=True, nogil=True)
def _seed(seed: int) -> None:  # pragma: no cover - jitted
    np.random.seed(seed)
