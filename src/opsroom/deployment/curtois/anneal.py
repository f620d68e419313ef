"""Simulated annealing over whole Curtois rosters, compiled with Numba.

The CP-SAT neighbourhoods of :mod:`.search` prove small pieces of a roster optimal, but each costs
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
- *exchange*: one employee exchanges two of their own blocks of days, half the time on the same
  weekdays of another week (their totals stay as they are, so work moves between days, and
  weekends, without breaking a limit; on Instance13, whose employees must end within a shift of
  their maximum minutes and work both days of nearly every weekend they work, this move took
  55 s chains from about 2,100 to about 1,850);
- *cover*: one employee on one day takes a shift type that is under-covered that day, or leaves a
  shift that is over-covered; a day off taking a shift gives up, half the time, a day at the end
  of a run in return, and half the other times has another of the employee's days take a
  shorter shift type (an under-covered one there if any is), so that an employee at their
  maximum of minutes can take a shortfall in one move (on Instance13 nearly every shortfall
  left waits for such an employee: the cover wants more minutes than all maxima together);
- *change*: one employee, a block of 1 to ``MAX_BLOCK`` days, set to days off, to one shift type,
  to other shift types on the days worked, or to random values.

The defaults (temperature 10 down to 0.5; a broken rule weighing 100, as much as a shift left
uncovered on most instances, rising to 2,000) were chosen on the benchmark (``docs/deployment.md``
§6): at these temperatures a shift is almost never left uncovered on purpose, and the cheap rule
breaks early on are what lets work move. From an empty roster cooler chains (3 down to 0.1) do
better; on small, tightly packed instances one chain started at 50 does (``solve.py``), so each
chain may start at its own temperature. The kernel releases the interpreter, so
:func:`anneal_chains` runs one chain per core at once; chains may meet on the way and all go on
from the best one's roster.

A guide, outside the objective: where the cover wants at least ``WEEKENDS_BIND`` of the weekend
shifts the employees' maxima of weekends allow (every benchmark instance but Instance9, whose
rosters it made worse: 461 and 460 against 446 and 449, seeds 0 and 1), each weekend worked on
one day only adds ``HALF_WEEKEND`` of a shift left uncovered (of the median weight of the cover,
so 5 on the benchmark) to a move's judgement. A weekend counts against an employee's maximum
whether one day of it is worked or both; where the cover wants nearly as many weekend shifts as
the maxima allow (Instance13: 482 of at most 500), each one-day weekend leaves a weekend shift
for nobody, but turning two of them into one two-day weekend and a free one costs nothing in the
objective, so without the guide the chain has no reason to. The objective kept, reported and
compared for the best roster is the true one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsroom.deployment.curtois._anneal_kernel import (
    MAX_BLOCK,
    _cost,
    _kernel,
    _seed,
    _totals,
    _violation,
)
from opsroom.deployment.curtois.instance import Instance
from opsroom.deployment.curtois.model import Roster

__all__ = [
    "MAX_BLOCK",
    "AnnealResult",
    "Arrays",
    "anneal",
    "anneal_chains",
    "broken_rules",
    "instance_arrays",
    "roster_cost",
    "temperature",
]

T_FIRST = 10.0
T_LAST = 0.5
WEIGHT = 100.0  # objective units per broken rule at the start of a chain ...
WEIGHT_LAST = 2000.0  # ... and at its end
HALF_WEEKEND = 0.05  # of a shift left uncovered: a weekend worked on one day only, as a guide
WEEKENDS_BIND = 0.9  # ... where the cover wants at least this share of the weekend shifts workable
# (Instance13, 60 s, seeds 1-4: 1,610, 1,482, 1,469, 1,493 at 0.05; 1,517, 1,592, 1,618, 1,503
# at 0.1; 1,597, 1,511, 1,591, 1,469 at 0.15; 1,606, 1,521, 1,508, 1,691 at 0.3; 1,515, 1,602,
# 1,618, 1,575 at 0.02; 1,666, 1,665, 1,650, 1,659 without)
MEET = (0.5, 0.65, 0.8, 0.9)  # shares of the time at which chains meet (see anneal_chains)
_CHUNK = 20_000  # moves per call of the kernel; the clock is read between calls
_NEVER = 1 << 60  # the best value before any feasible roster is seen

IntArray = npt.NDArray[np.int64]
Clock = Callable[[], float]


def temperature(t_first: float, t_last: float, share: float) -> float:
    """The temperature of a chain cooling geometrically from ``t_first`` to ``t_last``, once
    ``share`` of its time has gone."""
    return float(t_first * (t_last / t_first) ** share)


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
    half_weight: float = 0.0
    """What a weekend worked on one day only weighs in the moves' judgement (not in the
    objective): see ``HALF_WEEKEND``."""


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
    weights = under[need > 0]
    half_weight = 0.0
    if weights.size and _weekends_bind(instance):
        half_weight = HALF_WEEKEND * float(np.median(weights))
    return Arrays(
        half_weight=half_weight,
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


def _weekends_bind(instance: Instance) -> bool:
    """Whether the cover wants at least ``WEEKENDS_BIND`` of the weekend shifts the employees may
    work at most: each their maximum of weekends, the weekends with the fewest fixed days off
    first, one shift on each day of one."""
    horizon = instance.horizon
    wanted = sum(c.requirement for c in instance.cover if c.day % 7 >= 5)
    most = 0
    for staff in instance.staff:
        free = sorted(
            (
                sum(1 for d in (7 * w + 5, 7 * w + 6) if d < horizon and d not in staff.days_off)
                for w in range(instance.weekends)
            ),
            reverse=True,
        )
        most += sum(free[: max(0, staff.max_weekends)])
    return wanted > 0 and wanted >= WEEKENDS_BIND * most


def roster_cost(arrays: Arrays, roster: IntArray) -> int:
    """The objective of ``roster`` (requests and cover), as the kernel counts it."""
    return int(_cost(roster, arrays.cell_cost, arrays.need, arrays.under, arrays.over))


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
    chains: tuple[AnnealResult, ...] = ()
    """Each chain's own result, when several ran."""


@dataclass(kw_only=True)
class _Chain:
    """One chain's state: its roster with the counts kept up to date, and the best it saw."""

    current: IntArray
    count: IntArray
    viol: IntArray
    used: IntArray
    total: IntArray
    weekend_days: IntArray
    weekends: IntArray
    value: int
    best: IntArray
    best_value: int
    moves: int = 0
    accepted: int = 0

    @classmethod
    def start(cls, arrays: Arrays, roster: Roster) -> _Chain:
        current = np.array(roster, dtype=np.int64)
        n_shifts = arrays.minutes.shape[0]
        n_staff, horizon = current.shape
        chain = cls(
            current=current,
            count=np.stack([(current == s).sum(axis=0) for s in range(n_shifts)], axis=1),
            viol=broken_rules(arrays, current),
            used=np.zeros((n_staff, n_shifts), dtype=np.int64),
            total=np.zeros(n_staff, dtype=np.int64),
            weekend_days=np.zeros((n_staff, max(1, (horizon + 1) // 7)), dtype=np.int64),
            weekends=np.zeros(n_staff, dtype=np.int64),
            value=roster_cost(arrays, current),
            best=current.copy(),
            best_value=_NEVER,
        )
        _totals(
            current, arrays.minutes, chain.used, chain.total, chain.weekend_days, chain.weekends
        )
        if int(chain.viol.sum()) == 0:
            chain.best_value = chain.value
        return chain

    def take(self, other: _Chain) -> None:
        """Go on from ``other``'s roster (keeping the best roster of either)."""
        for name in ("current", "count", "viol", "used", "total", "weekend_days", "weekends"):
            np.copyto(getattr(self, name), getattr(other, name))
        self.value = other.value
        if other.best_value < self.best_value:
            np.copyto(self.best, other.best)
            self.best_value = other.best_value

    def score(self) -> float:
        """The objective with every broken rule at its final weight."""
        return self.value + WEIGHT_LAST * float(self.viol.sum())


@dataclass(frozen=True)
class _Meeting:
    """Where chains meet: at each share of their time in ``shares``, every chain goes on from the
    roster of the chain that is best there."""

    barrier: threading.Barrier
    shares: tuple[float, ...]


def anneal(
    arrays: Arrays,
    roster: Roster,
    *,
    seconds: float,
    seed: int,
    t_first: float = T_FIRST,
    t_last: float = T_LAST,
    weight: float = WEIGHT,
    weight_last: float = WEIGHT_LAST,
    clock: Clock = time.monotonic,
) -> AnnealResult:
    """Anneal from ``roster`` (feasible or not) for ``seconds``; return the best feasible roster
    seen, never worse than ``roster`` when that is feasible. Over the time given, the temperature
    falls geometrically from ``t_first`` to ``t_last`` and the weight of a broken rule rises
    geometrically from ``weight`` to ``weight_last``: cheap rule breaks early let work move
    through rosters that break a rule for a while, dear ones late bring the chain back to rosters
    that break none."""
    if seconds <= 0 or t_first <= 0 or t_last <= 0 or weight <= 0 or weight_last <= 0:
        raise ValueError("anneal needs positive seconds, temperatures and weight")
    chain = _Chain.start(arrays, roster)
    _run(
        arrays,
        chain,
        seconds=seconds,
        seed=seed,
        schedule=(t_first, t_last, weight, weight_last),
        give_up_after=None,
        found=None,
        meeting=None,
        clock=clock,
    )
    return _finish(arrays, chain)


def _run(
    arrays: Arrays,
    chain: _Chain,
    *,
    seconds: float,
    seed: int,
    schedule: tuple[float, float, float, float],
    give_up_after: float | None,
    found: threading.Event | None,
    meeting: _Meeting | None,
    clock: Clock,
) -> None:
    t_first, t_last, weight, weight_last = schedule
    _seed(seed)
    began = clock()
    meets = list(meeting.shares) if meeting is not None else []
    try:
        while (elapsed := clock() - began) < seconds:
            if chain.best_value != _NEVER and found is not None:
                found.set()
            if (
                give_up_after is not None
                and elapsed >= give_up_after
                and chain.best_value == _NEVER
                and not (found is not None and found.is_set())
            ):
                break
            share = elapsed / seconds
            if meeting is not None and meets and share >= meets[0]:
                meets.pop(0)
                try:
                    meeting.barrier.wait(timeout=max(1.0, seconds))
                except threading.BrokenBarrierError:
                    meeting = None  # another chain stopped: no more meetings
            t_now = temperature(t_first, t_last, share)
            t_next = temperature(t_first, t_last, min(1.0, share + 0.01))
            chain.value, chain.best_value, took = _kernel(
                chain.current,
                chain.count,
                chain.viol,
                chain.used,
                chain.total,
                chain.weekend_days,
                chain.weekends,
                chain.value,
                _CHUNK,
                t_now,
                t_next,
                weight * (weight_last / weight) ** share,
                arrays.half_weight,
                chain.best,
                chain.best_value,
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
            chain.moves += _CHUNK
            chain.accepted += int(took)
    finally:
        if meeting is not None:
            meeting.barrier.abort()  # nobody waits for a chain that has stopped


def _finish(arrays: Arrays, chain: _Chain) -> AnnealResult:
    # What was kept up to date move by move must equal a count from scratch.
    if chain.value != roster_cost(arrays, chain.current) or not np.array_equal(
        chain.viol, broken_rules(arrays, chain.current)
    ):
        raise RuntimeError("annealing lost track of the roster's objective or broken rules")
    found = chain.best_value != _NEVER
    return AnnealResult(
        roster=[[int(s) for s in row] for row in chain.best] if found else None,
        objective=int(chain.best_value) if found else None,
        moves=chain.moves,
        accepted=chain.accepted,
        last=[[int(s) for s in row] for row in chain.current],
        last_broken=tuple(int(v) for v in chain.viol),
    )


def anneal_chains(
    arrays: Arrays,
    roster: Roster,
    *,
    seconds: float,
    seeds: list[int],
    t_first: float = T_FIRST,
    t_last: float = T_LAST,
    give_up_after: float | None = None,
    meet: tuple[float, ...] = MEET,
    first_temperatures: Sequence[float] | None = None,
    clock: Clock = time.monotonic,
) -> AnnealResult:
    """One chain per seed, each on its own thread (the kernel releases the interpreter), all from
    ``roster``; the best chain's result (the lowest objective, or where none found a feasible
    roster, the fewest broken rules at the end), with the moves of all.

    At each share of the time in ``meet``, the chains meet and all go on from the roster of the
    one that is best there (its objective plus every broken rule at the final weight): chains
    differ most in how they end, and a chain that has fallen behind is worth less than a second
    try from the best roster. With ``give_up_after``, every chain stops at that many seconds if
    none has seen a feasible roster by then. With ``first_temperatures`` (one per seed), each
    chain starts at its own temperature instead of ``t_first``."""
    firsts = [t_first] * len(seeds) if first_temperatures is None else list(first_temperatures)
    if len(firsts) != len(seeds):
        raise ValueError("anneal needs one first temperature per seed")
    if seconds <= 0 or t_last <= 0 or any(t <= 0 for t in firsts):
        raise ValueError("anneal needs positive seconds and temperatures")
    chains = [_Chain.start(arrays, roster) for _ in seeds]
    errors: list[BaseException] = []
    found = threading.Event()

    def gather() -> None:
        leader = min(chains, key=_Chain.score)
        for chain in chains:
            if chain is not leader:
                chain.take(leader)

    meeting = (
        _Meeting(barrier=threading.Barrier(len(chains), action=gather), shares=meet)
        if len(chains) > 1 and meet
        else None
    )

    def run(i: int) -> None:
        try:
            _run(
                arrays,
                chains[i],
                seconds=seconds,
                seed=seeds[i],
                schedule=(firsts[i], t_last, WEIGHT, WEIGHT_LAST),
                give_up_after=give_up_after,
                found=found,
                meeting=meeting,
                clock=clock,
            )
        except BaseException as exc:  # re-raised below, on the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(seeds))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    done = [_finish(arrays, chain) for chain in chains]
    feasible = [r for r in done if r.objective is not None]
    if feasible:
        best = min(feasible, key=lambda r: r.objective or 0)
    else:
        best = min(done, key=lambda r: sum(r.last_broken))
    return AnnealResult(
        roster=best.roster,
        objective=best.objective,
        moves=sum(r.moves for r in done),
        accepted=sum(r.accepted for r in done),
        last=best.last,
        last_broken=best.last_broken,
        chains=tuple(done),
    )
