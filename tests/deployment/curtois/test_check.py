from __future__ import annotations

from opsroom.deployment.curtois.check import Assignment, check_solution, runs
from opsroom.deployment.curtois.instance import parse_instance

# One employee, 14 days (two weekends), a day shift and a night shift that a day shift may not
# follow. Limits: at most 2 nights, 2400-4800 minutes, 2-4 days in a row, 2 days off in a row,
# at most 1 weekend, day 10 off.
TEXT = """
SECTION_HORIZON
14
SECTION_SHIFTS
D,480,
N,480,D
SECTION_STAFF
A,D=14|N=2,4800,2400,4,2,2,1
SECTION_DAYS_OFF
A,10
SECTION_SHIFT_ON_REQUESTS
A,0,D,5
SECTION_SHIFT_OFF_REQUESTS
A,1,D,7
SECTION_COVER
0,D,2,100,1
1,D,0,100,3
"""
INSTANCE = parse_instance(TEXT, name="check")


def plan(days: dict[int, str]) -> list[Assignment]:
    return [Assignment(employee="A", day=d, shift=s) for d, s in days.items()]


def test_a_feasible_roster_has_no_violation_and_its_objective_counts_every_term() -> None:
    # Works days 0-3 and 7-8 (weekend 1 untouched, weekend 2 untouched): 6 x 480 = 2880 min.
    report = check_solution(INSTANCE, plan({0: "D", 1: "D", 2: "D", 3: "D", 7: "D", 8: "D"}))
    assert report.violations == ()
    # on-request met; off-request (day 1 D) met -> 7; cover day 0 one short -> 100; day 1 one
    # over -> 3
    assert (report.on_request_penalty, report.off_request_penalty) == (0, 7)
    assert (report.under_cover_penalty, report.over_cover_penalty) == (100, 3)
    assert report.objective == 110


def test_each_hard_rule_is_reported() -> None:
    days = {
        0: "D",
        1: "D",
        2: "D",
        3: "D",
        4: "D",
        5: "N",
        6: "N",
        8: "N",
        9: "D",
        10: "D",
        12: "D",
    }
    report = check_solution(INSTANCE, [*plan(days), Assignment(employee="A", day=0, shift="N")])
    text = "\n".join(report.violations)
    assert "more than one shift" in text
    assert "works on a day off" in text
    assert "day 9: D may not follow N" in text
    assert "3 N shifts, max 2" in text
    assert "7 consecutive shifts, max 4" in text
    assert "1 days off in a row, min 2" in text
    assert "1 consecutive shifts, min 2" in text
    assert "2 weekends worked, max 1" in text


def test_minutes_and_edge_runs() -> None:
    # A single shift on the last day is an edge run (exempt), but 480 minutes is under the minimum.
    report = check_solution(INSTANCE, plan({13: "D"}))
    assert report.violations == ("A: 480 min worked, allowed 2400-4800",)


def test_runs_split_a_sequence() -> None:
    assert runs([True, True, False, True]) == [(0, 2, True), (2, 1, False), (3, 1, True)]
