"""The replay schedule: scans that follow the crowd engine, a bottleneck, incidents, screening."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from opsroom.errors import InvalidInputError
from opsroom.replay import GateStep, build_schedule, busiest_day, only_matches, scan_records
from opsroom.replay.people import registration_batch, watchlist
from opsroom.scenario import Scenario, load_scenario

DAY = date(2022, 11, 21)


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


def test_every_fan_of_an_unconstrained_day_is_scanned_once(qatar: Scenario) -> None:
    schedule = build_schedule(qatar, DAY, with_bottleneck=False)
    assert schedule.bottleneck is None
    by_gate = schedule.scans_by_gate()
    for match in qatar.matches_on(DAY):
        venue = qatar.venue(match.venue_id)
        scanned = sum(by_gate[g.id] for g in qatar.gates_of(venue.id))
        # Whole people per gate, so the venue total is off by at most one per gate.
        assert abs(scanned - venue.capacity) <= len(qatar.gates_of(venue.id))
    exits = schedule.scans_by_gate("out")
    assert exits == by_gate
    assert schedule.total_scans == sum(by_gate.values()) + sum(exits.values())


def test_steps_are_ordered_positive_and_number_people_without_gaps(qatar: Scenario) -> None:
    schedule = build_schedule(qatar, DAY)
    assert [s.at for s in schedule.scans] == sorted(s.at for s in schedule.scans)
    next_index: dict[tuple[str, str], int] = {}
    for step in schedule.scans:
        assert step.count > 0
        assert schedule.start < step.at <= schedule.end
        assert step.at.utcoffset() == timedelta(0)
        key = (step.gate_id, step.direction)
        assert step.first_index == next_index.get(key, 0)
        next_index[key] = step.first_index + step.count


def test_everyone_leaves_by_their_gate_after_the_final_whistle(qatar: Scenario) -> None:
    schedule = build_schedule(qatar, DAY)
    kickoff = {m.venue_id: m.kickoff for m in qatar.matches_on(DAY)}
    inside: dict[str, int] = {}
    for step in schedule.scans:
        inside[step.gate_id] = inside.get(step.gate_id, 0) + (
            step.count if step.direction == "in" else -step.count
        )
        assert inside[step.gate_id] >= 0  # nobody leaves who has not come in
        if step.direction == "out":
            assert step.at > kickoff[step.venue_id] + timedelta(minutes=90)
    assert set(inside.values()) == {0}
    # The bottleneck gate lets out exactly the fewer people it let in.
    neck = schedule.bottleneck
    assert neck is not None
    assert schedule.scans_by_gate("out")[neck.gate_id] == schedule.scans_by_gate()[neck.gate_id]


def test_scans_follow_the_arrival_profile_around_kickoff(qatar: Scenario) -> None:
    schedule = build_schedule(qatar, DAY, with_bottleneck=False, with_exits=False)
    match = qatar.matches_on(DAY)[0]
    gate = qatar.gates_of(match.venue_id)[0].id
    steps = [s for s in schedule.scans if s.gate_id == gate]
    before = sum(s.count for s in steps if s.at <= match.kickoff - timedelta(minutes=90))
    last_hour = sum(
        s.count
        for s in steps
        if match.kickoff - timedelta(minutes=90) < s.at <= match.kickoff - timedelta(minutes=30)
    )
    # The default profile peaks 60-45 min before kick-off: the hour before the last half hour
    # holds more fans than the first 90 minutes of gate opening.
    assert last_hour > before > 0
    assert max(s.at for s in steps if s.direction == "in") <= match.kickoff + timedelta(minutes=60)


def test_bottleneck_gate_falls_behind_its_twin(qatar: Scenario) -> None:
    free = build_schedule(qatar, DAY, with_bottleneck=False, with_exits=False)
    slow = build_schedule(qatar, DAY, with_exits=False)
    neck = slow.bottleneck
    assert neck is not None
    assert 0 < neck.lanes_open < neck.lanes_planned
    assert neck.overload_from is not None
    assert neck.max_wait_min > 15
    first = min(qatar.matches_on(DAY), key=lambda m: m.kickoff)
    assert neck.venue_id == first.venue_id

    def curve(steps: tuple[GateStep, ...], gate: str) -> dict[datetime, int]:
        total, out = 0, {}
        for step in steps:
            if step.gate_id == gate:
                total += step.count
                out[step.at] = total
        return out

    free_curve = curve(free.scans, neck.gate_id)
    slow_curve = curve(slow.scans, neck.gate_id)
    times = sorted(set(free_curve) | set(slow_curve))
    f = s = 0
    behind = 0
    for at in times:
        f = free_curve.get(at, f)
        s = slow_curve.get(at, s)
        assert s <= f
        behind = max(behind, f - s)
    assert behind > 1000
    # The other gates of the venue are untouched.
    other = qatar.gates_of(neck.venue_id)[1].id
    assert free.scans_by_gate()[other] == slow.scans_by_gate()[other]


def test_incidents_and_screening_fall_inside_the_day(qatar: Scenario) -> None:
    schedule = build_schedule(qatar, DAY)
    assert schedule.incidents
    assert [i.at for i in schedule.incidents] == sorted(i.at for i in schedule.incidents)
    venues = {m.venue_id for m in qatar.matches_on(DAY)}
    for incident in schedule.incidents:
        assert incident.venue_id in venues
        assert 1 <= incident.priority <= 4
        assert schedule.start <= incident.at <= schedule.end
        assert [s.after_min for s in incident.steps] == sorted(s.after_min for s in incident.steps)
    neck = schedule.bottleneck
    assert neck is not None and neck.overload_from is not None
    crowd = [i for i in schedule.incidents if i.type == "crowd"]
    assert len(crowd) == 1
    assert crowd[0].gate_id == neck.gate_id and crowd[0].at > neck.overload_from
    assert schedule.screening is not None
    assert schedule.start < schedule.screening.at < schedule.end
    assert {u.venue_id for u in schedule.units} == venues


def test_a_day_without_matches_is_refused_naming_the_field(qatar: Scenario) -> None:
    with pytest.raises(InvalidInputError) as caught:
        build_schedule(qatar, date(2022, 11, 1))
    assert caught.value.problems[0].field == "date"


def test_only_matches_gives_a_short_replay(qatar: Scenario) -> None:
    small = only_matches(qatar, ["M02"], attendance=800)
    schedule = build_schedule(small, DAY, registrations=0, with_exits=False)
    assert schedule.match_ids == ("M02",)
    assert abs(schedule.total_scans - 800) <= len(qatar.gates_of("khalifa"))
    assert schedule.scans_by_gate("out") == {}
    assert schedule.screening is None


def test_scan_records_are_unique_stable_and_inside_their_step(qatar: Scenario) -> None:
    schedule = build_schedule(only_matches(qatar, ["M02"], attendance=800), DAY)
    records = [r for s in schedule.scans for r in scan_records(s, schedule.step_s)]
    assert len(records) == schedule.total_scans
    assert len({r["scan_id"] for r in records}) == len(records)
    again = [r for s in schedule.scans for r in scan_records(s, schedule.step_s)]
    assert again == records
    step = schedule.scans[0]
    times = [r["scanned_at"] for r in scan_records(step, schedule.step_s)]
    assert times == sorted(times)
    lo = (step.at - timedelta(seconds=schedule.step_s)).isoformat()
    assert all(lo < t < step.at.isoformat() for t in times)
    assert {r["direction"] for r in records} == {"in", "out"}
    outs = [r for r in records if r["direction"] == "out"]
    ins = {r["credential_id"] for r in records if r["direction"] == "in"}
    assert {r["credential_id"] for r in outs} == ins  # the same people leave


def test_registration_batch_hides_watchlisted_people() -> None:
    entries = watchlist()
    batch = registration_batch(entries, size=120)
    assert len(batch) == 120
    assert len({p.id for p in batch}) == 120
    hidden = {p.hidden_entry for p in batch if p.hidden_entry}
    assert hidden == {e.key for e in entries}
    assert batch == registration_batch(entries, size=120)
    arabic = [p for p in batch if any("\u0600" <= ch <= "\u06ff" for ch in p.name)]
    assert arabic


def test_busiest_day_is_the_first_with_the_most_matches(qatar: Scenario) -> None:
    day = busiest_day(qatar)
    most = max(len(qatar.matches_on(d)) for d in qatar.match_days())
    assert len(qatar.matches_on(day)) == most
    assert all(len(qatar.matches_on(d)) < most for d in qatar.match_days() if d < day)
