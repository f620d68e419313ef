"""The compiled annealing: its rule count and objective against the independent checker, and
its rosters."""

from __future__ import annotations

import dataclasses
import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsroom.deployment.curtois._anneal_kernel import _halves_change
from opsroom.deployment.curtois.anneal import (
    HALF_WEEKEND,
    T_FIRST,
    T_LAST,
    AnnealResult,
    Arrays,
    _Chain,
    anneal,
    anneal_chains,
    broken_rules,
    instance_arrays,
    roster_cost,
)
from opsroom.deployment.curtois.check import check_solution
from opsroom.deployment.curtois.instance import Instance, parse_instance, read_instance
from opsroom.deployment.curtois.model import OFF, Roster
from opsroom.deployment.curtois.neighbourhoods import cells
from opsroom.deployment.curtois.solve import (
    COLGEN_CELLS,
    _construct,
    solve_instance,
    to_assignments,
)

from .test_solve import tiny_instances


def _violations_of(instance: Instance, roster: Roster) -> list[set[str]]:
    """The checker's violations, grouped by employee (in instance order)."""
    report = check_solution(instance, to_assignments(instance, roster))
    return [
        {v for v in report.violations if v.startswith((f"{s.id} ", f"{s.id}:"))}
        for s in instance.staff
    ]


def _assert_rule_counts_match(instance: Instance, roster: Roster) -> None:
    """Each employee's rule count is zero exactly when the checker finds nothing in its row."""
    broken = broken_rules(instance_arrays(instance), np.array(roster, dtype=np.int64))
    for e, found in enumerate(_violations_of(instance, roster)):
        assert (broken[e] == 0) == (not found), (roster[e], found)


def _random_roster(instance: Instance, rng: random.Random, work: float) -> Roster:
    return [
        [
            rng.randrange(len(instance.shifts)) if rng.random() < work else OFF
            for _ in range(instance.horizon)
        ]
        for _ in instance.staff
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances(), st.integers(0, 1 << 30), st.floats(0.0, 1.0))
def test_rule_count_is_zero_exactly_when_the_checker_finds_nothing(
    instance: Instance, seed: int, work: float
) -> None:
    _assert_rule_counts_match(instance, _random_roster(instance, random.Random(seed), work))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_instances(), st.integers(0, 1 << 30), st.floats(0.0, 1.0))
def test_annealing_keeps_its_counts_true_and_returns_only_feasible_rosters(
    instance: Instance, seed: int, work: float
) -> None:
    # ``anneal`` recounts the objective and the broken rules from scratch at its end and raises
    # if what it kept up to date move by move differs.
    roster = _random_roster(instance, random.Random(seed), work)
    result = anneal(instance_arrays(instance), roster, seconds=0.02, seed=seed)
    if result.roster is not None:
        report = check_solution(instance, to_assignments(instance, result.roster))
        assert report.violations == ()
        assert report.objective == result.objective


@pytest.mark.parametrize("number", [1, 7, 14, 19])
def test_rule_count_and_objective_agree_with_the_checker_on_public_instances(
    shared_data: Path, number: int
) -> None:
    instance = read_instance(shared_data / "roster" / f"Instance{number}.txt")
    arrays = instance_arrays(instance)
    rng = random.Random(number)
    for work in (0.0, 0.3, 0.7, 1.0):
        roster = _random_roster(instance, rng, work)
        array = np.array(roster, dtype=np.int64)
        report = check_solution(instance, to_assignments(instance, roster))
        assert roster_cost(arrays, array) == report.objective
        _assert_rule_counts_match(instance, roster)


def test_annealing_from_an_empty_roster_finds_a_feasible_one(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance3.txt")
    empty = [[OFF] * instance.horizon for _ in instance.staff]
    arrays = instance_arrays(instance)
    # Each reading of the clock 0.02 s later: 100 calls of the kernel, the same moves every run.
    ticks = itertools.count()
    result = anneal(arrays, empty, seconds=2.0, seed=1, clock=lambda: 0.02 * next(ticks))
    assert result.roster is not None
    report = check_solution(instance, to_assignments(instance, result.roster))
    assert report.violations == ()
    assert report.objective == result.objective
    assert result.moves > 0 and result.accepted > 0


def test_annealing_never_returns_a_worse_roster_than_a_feasible_start(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance2.txt")
    start = solve_instance(instance, time_limit=2.0, workers=1).assignments
    roster = [[OFF] * instance.horizon for _ in instance.staff]
    staff = {s.id: e for e, s in enumerate(instance.staff)}
    for a in start:
        roster[staff[a.employee]][a.day] = instance.shift_index(a.shift)
    before = check_solution(instance, start).objective
    result = anneal(instance_arrays(instance), roster, seconds=0.3, seed=2, t_first=50.0)
    assert result.roster is not None and result.objective is not None
    assert result.objective <= before
    report = check_solution(instance, to_assignments(instance, result.roster))
    assert report.violations == () and report.objective == result.objective


def _impossible_instance() -> Instance:
    """One employee who must work 3,000 minutes but may work one 480-minute shift at most."""
    text = "\n".join(
        [
            "SECTION_HORIZON",
            "7",
            "SECTION_SHIFTS",
            "D,480,",
            "SECTION_STAFF",
            "A,D=1,4000,3000,5,1,1,2",
            "SECTION_COVER",
            *(f"{d},D,1,100,1" for d in range(7)),
        ]
    )
    return parse_instance(text, name="impossible")


def test_chains_report_no_roster_when_no_rule_can_be_kept() -> None:
    instance = _impossible_instance()
    empty = [[OFF] * 7]
    result = anneal_chains(instance_arrays(instance), empty, seconds=0.2, seeds=[1, 2])
    assert result.roster is None and result.objective is None
    assert result.moves > 0
    assert result.last_broken[0] > 0  # where the best chain ended, the rule is still broken


def test_chains_give_up_early_only_while_none_holds_a_feasible_roster(shared_data: Path) -> None:
    impossible = _impossible_instance()
    arrays = instance_arrays(impossible)

    def ticking() -> Callable[[], float]:
        ticks = itertools.count()
        return lambda: 0.1 * next(ticks)  # each reading of the clock is 0.1 s later

    whole = anneal_chains(arrays, [[OFF] * 7], seconds=5.0, seeds=[1], clock=ticking())
    early = anneal_chains(
        arrays, [[OFF] * 7], seconds=5.0, seeds=[1], give_up_after=0.3, clock=ticking()
    )
    assert early.roster is None and early.moves * 10 < whole.moves
    # With a feasible roster at hand, the chain does not give up.
    instance = read_instance(shared_data / "roster" / "Instance1.txt")
    empty = [[OFF] * instance.horizon for _ in instance.staff]
    arrays = instance_arrays(instance)
    kept = anneal_chains(arrays, empty, seconds=5.0, seeds=[1], give_up_after=2.0, clock=ticking())
    assert kept.roster is not None
    assert kept.moves == anneal_chains(arrays, empty, seconds=5.0, seeds=[1], clock=ticking()).moves


def test_chains_that_meet_go_on_from_the_best_roster(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance5.txt")  # 28 days: four weeks
    arrays = instance_arrays(instance)
    rng = random.Random(5)
    first, second = (_Chain.start(arrays, _random_roster(instance, rng, w)) for w in (0.3, 0.8))
    ahead, behind = sorted((first, second), key=_Chain.score)
    assert ahead.score() < behind.score()
    behind.take(ahead)
    assert np.array_equal(behind.current, ahead.current) and behind.value == ahead.value
    assert np.array_equal(behind.viol, ahead.viol) and np.array_equal(behind.used, ahead.used)
    assert behind.score() == ahead.score()
    # Chains meeting on the way still keep their counts true (each recounts at its end).
    result = anneal_chains(
        arrays,
        _random_roster(instance, rng, 0.5),
        seconds=2.0,
        seeds=[1, 2],
        t_first=3.0,
        t_last=0.1,
        meet=(0.2, 0.4, 0.6, 0.8),
    )
    assert result.roster is not None
    report = check_solution(instance, to_assignments(instance, result.roster))
    assert report.violations == () and report.objective == result.objective


def test_bad_arguments_are_refused(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance1.txt")
    empty = [[OFF] * instance.horizon for _ in instance.staff]
    with pytest.raises(ValueError, match="positive"):
        anneal(instance_arrays(instance), empty, seconds=0.0, seed=1)
    with pytest.raises(ValueError, match="one first temperature per seed"):
        anneal_chains(
            instance_arrays(instance), empty, seconds=1.0, seeds=[1, 2], first_temperatures=[50.0]
        )
    with pytest.raises(ValueError, match="positive"):
        anneal_chains(
            instance_arrays(instance), empty, seconds=1.0, seeds=[1], first_temperatures=[0.0]
        )


def test_each_chain_may_start_at_its_own_temperature(shared_data: Path) -> None:
    instance = read_instance(shared_data / "roster" / "Instance3.txt")
    arrays = instance_arrays(instance)
    empty = [[OFF] * instance.horizon for _ in instance.staff]

    def run(**temperatures: object) -> tuple[int, int | None]:
        ticks = itertools.count()  # each reading of the clock 0.02 s later: the same moves
        result = anneal_chains(
            arrays,
            empty,
            seconds=1.0,
            seeds=[3],
            t_last=0.5,
            meet=(),
            clock=lambda: 0.02 * next(ticks),
            **temperatures,  # type: ignore[arg-type]
        )
        return result.accepted, result.objective

    # A chain's own first temperature is the shared one's exact equivalent ...
    assert run(first_temperatures=[50.0]) == run(t_first=50.0)
    # ... and a chain started hot takes more of the moves it is offered than one started cool.
    hot, _ = run(first_temperatures=[200.0])
    cool, _ = run(first_temperatures=[1.0])
    assert hot > cool


def _wide_instance() -> Instance:
    """60 employees x 28 days x 12 shift types: above COLGEN_CELLS, quick to build a roster for."""
    shifts = [f"S{i}" for i in range(12)]
    lines = ["SECTION_HORIZON", "28", "SECTION_SHIFTS", *(f"{s},480," for s in shifts)]
    lines.append("SECTION_STAFF")
    limits = "|".join(f"{s}=28" for s in shifts)
    lines += [f"E{e},{limits},9600,4800,6,1,1,4" for e in range(60)]
    lines.append("SECTION_SHIFT_ON_REQUESTS")
    lines += [f"E{e},{(3 * e) % 28},S{e % 12},2" for e in range(60)]
    lines.append("SECTION_COVER")
    lines += [f"{d},{s},{(d + i) % 6},100,1" for d in range(28) for i, s in enumerate(shifts)]
    return parse_instance("\n".join(lines), name="wide")


def test_instances_too_large_for_column_generation_are_annealed() -> None:
    instance = _wide_instance()
    assert len(instance.staff) * instance.horizon * len(instance.shifts) > COLGEN_CELLS
    result = solve_instance(instance, time_limit=8.0, workers=2, seed=4)
    assert result.method == "anneal+lns"
    report = check_solution(instance, result.assignments)
    assert report.violations == ()
    assert report.objective == result.objective


def test_rows_left_broken_are_rebuilt_by_best_responses(shared_data: Path) -> None:
    # What the solver does with the rows annealing could not mend: empty them, rebuild them.
    instance = read_instance(shared_data / "roster" / "Instance5.txt")
    result = solve_instance(instance, time_limit=2.0, workers=1, seed=2)
    roster = [[OFF] * instance.horizon for _ in instance.staff]
    staff = {s.id: e for e, s in enumerate(instance.staff)}
    for a in result.assignments:
        roster[staff[a.employee]][a.day] = instance.shift_index(a.shift)
    cleared = [3, 7]
    for e in cleared:
        roster[e] = [OFF] * instance.horizon
    now = time.monotonic()
    rebuilt = _construct(instance, roster, now, now + 10.0, 1, random.Random(0), employees=cleared)
    assert all(rebuilt[e] == roster[e] for e in range(len(roster)) if e not in cleared)
    assert all(any(s != OFF for s in rebuilt[e]) for e in cleared)
    assert check_solution(instance, to_assignments(instance, rebuilt)).violations == ()


def test_small_instances_anneal_one_chain_from_a_warmer_start(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsroom.deployment.curtois import solve

    instance = read_instance(shared_data / "roster" / "Instance5.txt")
    starts: list[list[float]] = []
    real = solve.anneal_chains

    def recording(*args: object, **kwargs: object) -> object:
        starts.append(list(kwargs["first_temperatures"]))  # type: ignore[call-overload]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(solve, "anneal_chains", recording)
    result = solve_instance(instance, time_limit=4.0, workers=2, seed=1)
    assert result.violations == ()
    # Instance5 (16 x 28 x 2) is below the size up to which one chain of the two starts warm.
    assert starts == [[solve.T_FIRST, solve._WARM_FIRST]]
    starts.clear()
    monkeypatch.setattr(solve, "_WARM_CELLS", 100)
    solve_instance(instance, time_limit=4.0, workers=2, seed=1)
    assert starts == [[solve.T_FIRST, solve.T_FIRST]]


def test_a_chain_ending_with_a_broken_rule_is_mended_into_a_roster_that_keeps_every_rule(
    shared_data: Path,
) -> None:
    from opsroom.deployment.curtois.anneal import AnnealResult
    from opsroom.deployment.curtois.solve import _best_of_chains

    instance = read_instance(shared_data / "roster" / "Instance5.txt")
    arrays = instance_arrays(instance)
    now = time.monotonic()
    empty = [[OFF] * instance.horizon for _ in instance.staff]
    first = _construct(instance, empty, now, now + 10.0, 1, random.Random(0))
    last = [list(row) for row in first]
    last[0] = [0] * instance.horizon  # every day worked: past the maximum run and shifts
    broken = broken_rules(arrays, np.array(last))
    assert broken[0] > 0 and broken.sum() == broken[0]
    ended = AnnealResult(
        roster=None,
        objective=None,
        moves=0,
        accepted=0,
        last=last,
        last_broken=tuple(int(v) for v in broken),
    )
    mended = _best_of_chains(instance, arrays, ended, time.monotonic() + 20.0, 1, random.Random(0))
    assert mended is not None
    assert check_solution(instance, to_assignments(instance, mended)).violations == ()
    assert mended[1:] == last[1:]  # only the row breaking a rule is rebuilt
    # A chain that saw a feasible roster better than its broken end keeps that roster.
    value = roster_cost(arrays, np.array(first))
    kept = _best_of_chains(
        instance,
        arrays,
        AnnealResult(
            roster=first,
            objective=value,
            moves=0,
            accepted=0,
            last=last,
            last_broken=ended.last_broken,
            chains=(ended,),
        ),
        time.monotonic() + 20.0,
        1,
        random.Random(0),
    )
    assert kept == first or roster_cost(arrays, np.array(kept)) < value


def test_annealing_takes_the_time_of_column_generation_where_it_would_not_converge_or_is_small(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsroom.deployment.curtois import solve
    from opsroom.deployment.curtois.colgen import ColumnGeneration

    instance = read_instance(shared_data / "roster" / "Instance5.txt")
    shares: list[float] = []
    rounds: list[int | None] = []
    programmes: list[float] = []
    real_anneal, real_run = solve._anneal, ColumnGeneration.run
    real_programme = ColumnGeneration.integer_roster

    def anneal(*args: object, **kwargs: object) -> object:
        shares.append(args[2] / (deadline[0] - time.monotonic()))  # type: ignore[operator]
        return real_anneal(*args, **kwargs)  # type: ignore[arg-type]

    def recording_run(self: ColumnGeneration, until: float, **kwargs: int | None) -> None:
        rounds.append(kwargs.get("rounds"))
        real_run(self, until, **kwargs)
        if kwargs.get("rounds") is None:
            self.converged = True  # as if it had: the integer programme's turn is what is tested

    def programme(self: ColumnGeneration, roster: Roster, seconds: float) -> Roster | None:
        programmes.append(seconds)
        return real_programme(self, roster, seconds)

    deadline = [0.0]
    monkeypatch.setattr(solve, "_anneal", anneal)
    monkeypatch.setattr(ColumnGeneration, "run", recording_run)
    monkeypatch.setattr(ColumnGeneration, "integer_roster", programme)
    size = cells(instance, list(range(len(instance.staff))), instance.horizon)
    assert solve.MONOLITHIC_CELLS < size <= solve._SOLO_CELLS
    # (limit of the small instances, the probe's verdict) -> (annealing's share, the calls of
    # column generation after the probe, whether its integer programme runs). Instance5 is
    # small: whatever the probe says, it anneals longer and generates no more columns; with the
    # limit below it, the probe decides.
    cases = {
        (0, True): (solve._SMALL_ANNEAL_SHARE, [None], True),
        (0, False): (solve._SOLO_ANNEAL_SHARE, [], False),
        (solve._SOLO_CELLS, True): (solve._SOLO_ANNEAL_SHARE, [], False),
    }
    for (solo_cells, fits), (share, after, integer) in cases.items():
        monkeypatch.setattr(solve, "_SOLO_CELLS", solo_cells)
        monkeypatch.setattr(ColumnGeneration, "fits", lambda self, seconds, f=fits: f)
        shares.clear()
        rounds.clear()
        programmes.clear()
        deadline[0] = time.monotonic() + 6.0
        result = solve_instance(instance, time_limit=6.0, workers=2, seed=1)
        assert result.violations == ()
        assert rounds == [solve._PROBE_ROUNDS, *after]
        assert len(shares) == 1 and abs(shares[0] - share) < 0.05
        assert bool(programmes) == integer


def test_chains_that_give_up_go_on_cooling_from_where_they_stopped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dataclasses import replace

    from opsroom.deployment.curtois import solve

    instance = _wide_instance()
    temperatures: list[tuple[float, float]] = []
    real_anneal = solve._anneal

    def anneal(*args: object, **kwargs: object) -> AnnealResult:
        temperatures.append(kwargs.get("temperatures", (T_FIRST, T_LAST)))  # type: ignore[arg-type]
        if len(temperatures) > 1:
            return real_anneal(*args, **kwargs)  # type: ignore[arg-type]
        # As if no chain had kept every rule by the time they give up at: they stop there.
        stopped = (*args[:2], kwargs["give_up_after"], *args[3:])
        result = real_anneal(*stopped, **kwargs)  # type: ignore[arg-type]
        return replace(result, roster=None, objective=None)

    monkeypatch.setattr(solve, "_anneal", anneal)
    result = solve_instance(instance, time_limit=8.0, workers=2, seed=4)
    assert check_solution(instance, result.assignments).violations == ()
    hot, cool = solve._COOL
    assert len(temperatures) == 2
    assert temperatures[0] == (hot, cool)
    reached, last = temperatures[1]
    assert last == cool
    # the temperature of the cooling schedule at the moment the chains gave up
    share = solve._ANNEAL_FIRST_SHARE / solve._ANNEAL_LONG_SHARE
    assert reached == pytest.approx(hot * (cool / hot) ** share)
    assert cool < reached < hot


def _full_minutes_instance() -> Instance:
    """One employee whose three long shifts fill their maximum of minutes; a shift is missing on
    day 12, far from them, and every day of theirs also asks for a short shift."""
    lines = [
        "SECTION_HORIZON",
        "14",
        "SECTION_SHIFTS",
        "L,2400,",
        "S,1200,",
        "SECTION_STAFF",
        "A,L=14|S=14,7200,0,7,1,1,4",
        "SECTION_COVER",
        *(f"{d},L,1,200,1" for d in range(3)),
        *(f"{d},S,1,100,1" for d in range(3)),
        "12,S,1,150,1",
    ]
    return parse_instance("\n".join(lines), name="full-minutes")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_off_taken_up_is_paid_for_by_a_shorter_shift_on_another_day(seed: int) -> None:
    # Taking day 12 alone breaks the limit of minutes by 1,200 (five broken rules), and giving
    # up a long shift or shortening one alone leaves a long shift uncovered: each costs more
    # than it gains, far beyond these temperatures. Only the two together gain: day 12 covered
    # (-150), a long shift made short on days 0-2 (+200 - 100).
    instance = _full_minutes_instance()
    start = [[0, 0, 0] + [OFF] * 11]
    arrays = instance_arrays(instance)
    before = roster_cost(arrays, np.array(start, dtype=np.int64))
    ticks = itertools.count()
    result = anneal(
        arrays,
        start,
        seconds=1.0,
        seed=seed,
        t_first=0.5,
        t_last=0.1,
        clock=lambda: 0.01 * next(ticks),
    )
    assert result.roster is not None
    assert result.objective == before - 50
    row = result.roster[0]
    assert row[12] == 1 and sorted(row[:3]) == [0, 0, 1]
    report = check_solution(instance, to_assignments(instance, result.roster))
    assert report.violations == () and report.objective == result.objective


def _halves(row: list[int]) -> int:
    """Weekends (whole ones within the row) worked on one day only."""
    return sum((row[sat] != OFF) != (row[sat + 1] != OFF) for sat in range(5, len(row) - 1, 7))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(8, 30).flatmap(
        lambda horizon: st.tuples(
            st.lists(st.sampled_from([OFF, 0, 1]), min_size=horizon, max_size=horizon),
            st.lists(st.sampled_from([OFF, 0, 1]), min_size=horizon, max_size=horizon),
            st.tuples(st.integers(0, horizon - 1), st.integers(0, 6)),
            st.one_of(st.none(), st.tuples(st.integers(0, horizon - 1), st.integers(0, 6))),
        )
    )
)
def test_the_change_of_one_day_weekends_is_counted_from_the_changed_days_alone(
    case: tuple[list[int], list[int], tuple[int, int], tuple[int, int] | None],
) -> None:
    row, values, (first, length), second = case
    last = min(len(row) - 1, first + length)
    after = list(row)
    after[first : last + 1] = values[first : last + 1]
    first2 = last2 = -1
    if second is not None:
        first2, last2 = second[0], min(len(row) - 1, second[0] + second[1])
        if first2 <= last and last2 >= first:
            first2 = last2 = -1  # the blocks of a move never overlap
        else:
            after[first2 : last2 + 1] = values[first2 : last2 + 1]
    counted = _halves_change(
        np.array(row, dtype=np.int64),
        first,
        last,
        np.array(values, dtype=np.int64),
        first2,
        last2,
        np.array(values, dtype=np.int64),
    )
    assert counted == _halves(after) - _halves(row)


def _split_weekend_instance() -> Instance:
    """Two employees who may each work any day; one shift wanted on Saturday and one on Sunday
    of the first weekend, and none on the other days."""
    lines = [
        "SECTION_HORIZON",
        "14",
        "SECTION_SHIFTS",
        "S,480,",
        "SECTION_STAFF",
        "A,S=14,7200,0,7,1,1,2",
        "B,S=14,7200,0,7,1,1,2",
        "SECTION_COVER",
        *(f"{d},S,{int(d in (5, 6))},100,1" for d in range(14)),
    ]
    return parse_instance("\n".join(lines), name="split-weekend")


def _cool_chain_on_split_weekend(arrays: Arrays, seed: int) -> AnnealResult:
    """A cool chain from the roster where one employee works Saturday and the other Sunday."""
    start = [[OFF] * 5 + [0] + [OFF] * 8, [OFF] * 6 + [0] + [OFF] * 7]
    return anneal(
        arrays,
        start,
        seconds=1.0,
        seed=seed,
        t_first=0.05,
        t_last=0.02,
        clock=itertools.count(0.0, 0.02).__next__,
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_annealing_is_guided_towards_weekends_worked_whole(seed: int) -> None:
    # Whoever works Saturday or Sunday, the cover costs nothing: the objective is flat. The
    # guide alone tells rosters apart, so a cool chain ends with one employee working the whole
    # weekend and never on a roster that splits it; its objective stays the checker's.
    instance = _split_weekend_instance()
    arrays = dataclasses.replace(instance_arrays(instance), half_weight=HALF_WEEKEND * 100)
    result = _cool_chain_on_split_weekend(arrays, seed)
    assert result.objective == 0
    last = result.last
    assert sorted(_halves(row) for row in last) == [0, 0]
    assert sorted(row.count(0) for row in last) == [0, 2]
    report = check_solution(instance, to_assignments(instance, last))
    assert report.violations == () and report.objective == 0


def test_without_the_guide_a_split_weekend_is_as_good_as_a_whole_one() -> None:
    # The same chains with the guide weighing nothing wander among the rosters of equal
    # objective: some end with the weekend split between the two employees.
    instance = _split_weekend_instance()
    unguided = dataclasses.replace(instance_arrays(instance), half_weight=0.0)
    split = 0
    for seed in range(1, 6):
        result = _cool_chain_on_split_weekend(unguided, seed)
        split += sum(_halves(row) for row in result.last) > 0
    assert split > 0


def test_the_guide_weighs_only_where_the_cover_wants_nearly_every_weekend_shift(
    shared_data: Path,
) -> None:
    # Instance13's cover wants 482 weekend shifts of the 500 its employees' maxima allow;
    # Instance9's wants 118 of 184. The split-weekend instance wants 2 of 8.
    roster = shared_data / "roster"
    assert instance_arrays(read_instance(roster / "Instance13.txt")).half_weight == 5.0
    assert instance_arrays(read_instance(roster / "Instance9.txt")).half_weight == 0.0
    assert instance_arrays(_split_weekend_instance()).half_weight == 0.0
