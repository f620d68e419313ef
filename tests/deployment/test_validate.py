from __future__ import annotations

from datetime import date, timedelta

from opsroom.deployment.demand import Post
from opsroom.deployment.roster import Assignment
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.validate import check_roster
from opsroom.deployment.workforce import Officer

from .factories import JOINT, at, make_officer, make_post

RULES = RosterRules()


def assign(officer: Officer, post: Post) -> Assignment:
    return Assignment(
        officer_id=officer.id,
        agency=officer.agency,
        post_id=post.id,
        venue_id=post.venue_id,
        start=post.start,
        end=post.end,
    )


def rules_broken(
    assignments: list[Assignment], posts: list[Post], officers: list[Officer]
) -> set[str]:
    result = check_roster(assignments, posts, officers, rules=RULES, joint=JOINT)
    return set(result.by_rule())


def test_a_clean_roster_passes_and_counts_missing_cover() -> None:
    a, b = make_officer("H1"), make_officer("P1", partner=True)
    post = make_post("P", required=3, joint_team=True)
    result = check_roster(
        [assign(a, post), assign(b, post)], [post], [a, b], rules=RULES, joint=JOINT
    )
    assert result.valid
    assert (result.required, result.missing) == (3, 1)


def test_double_booking_rest_and_overstaffing() -> None:
    a = make_officer("H1")
    first = make_post("A", start=at(0, 12), required=1)
    overlap = make_post("B", start=at(0, 16), required=1)
    short_rest = make_post("C", start=at(1, 5), required=1)
    assert "double_booking" in rules_broken(
        [assign(a, first), assign(a, overlap)], [first, overlap], [a]
    )
    assert rules_broken([assign(a, first), assign(a, short_rest)], [first, short_rest], [a]) == {
        "rest"
    }
    b = make_officer("H2")
    assert "overstaffing" in rules_broken([assign(a, first), assign(b, first)], [first], [a, b])


def test_hours_days_qualification_and_availability() -> None:
    a = make_officer(
        "H1", skills=("stewarding",), leave=((date(2022, 11, 21), date(2022, 11, 21)),)
    )
    posts = [make_post(f"D{d}", start=at(d, 8), hours=9.5, required=1) for d in range(7)]
    broken = rules_broken([assign(a, p) for p in posts], posts, [a])
    assert {"consecutive_days", "week_hours", "qualification", "availability"} <= broken
    long = make_post("L", start=at(10, 6), hours=11, required=1, skill="stewarding")
    assert rules_broken([assign(a, long)], [long], [a]) >= {"shift_hours"}


def test_joint_team_composition_and_unknown_rows() -> None:
    hosts = [make_officer(f"H{i}") for i in range(2)]
    post = make_post("J", required=2, joint_team=True)
    assert rules_broken([assign(o, post) for o in hosts], [post], hosts) == {"joint_team"}
    ghost = Assignment(
        officer_id="X9",
        agency="?",
        post_id="J",
        venue_id="lusail",
        start=post.start,
        end=post.end,
    )
    assert rules_broken([ghost], [post], hosts) == {"unknown"}
    moved = Assignment(
        officer_id="H0",
        agency="QA-MOI",
        post_id="J",
        venue_id="lusail",
        start=post.start + timedelta(hours=1),
        end=post.end,
    )
    assert "times" in rules_broken([moved], [post], hosts)
