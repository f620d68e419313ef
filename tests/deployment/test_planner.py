"""The planner: full cover when the workforce allows it, explicit shortfalls when it does not,
and the laws every roster obeys (checked by the independent checker)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsroom.deployment.demand import Post
from opsroom.deployment.planner import plan_roster
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.validate import check_roster
from opsroom.deployment.workforce import Officer

from .factories import JOINT, at, make_officer, make_post

RULES = RosterRules()


def test_joint_teams_are_mixed_and_fully_covered() -> None:
    officers = [make_officer(f"H{i}", languages=("en",)) for i in range(4)] + [
        make_officer(f"P{i}", partner=True) for i in range(3)
    ]
    posts = [make_post(f"G{g}", required=3, joint_team=True) for g in range(2)]
    result = plan_roster(posts, officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    assert result.complete
    check = check_roster(result.assignments, posts, officers, rules=RULES, joint=JOINT)
    assert check.valid and check.missing == 0
    assert result.objective >= result.bound and result.gap <= 1e-9


def test_impossible_demand_is_reported_with_posts_times_and_reasons() -> None:
    officers = [make_officer(f"H{i}") for i in range(5)]  # no partner officer at all
    joint = make_post("JOINT", required=2, joint_team=True)
    rare = make_post("CTRL", required=2, skill="control_room", zone="control", min_clearance=3)
    result = plan_roster([joint, rare], officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    short = {s.post_id: s for s in result.shortfalls}
    assert set(short) == {"JOINT", "CTRL"}
    assert short["CTRL"].missing == 2
    assert "0 officers hold skill control_room" in short["CTRL"].reason
    assert "joint team also needs" in short["JOINT"].reason
    assert short["JOINT"].start == joint.start
    assert result.terms["cover_gap"] == 4 * 1000
    assert not any(a.post_id == "JOINT" for a in result.assignments)


def test_rest_spreads_work_over_officers_across_days() -> None:
    officers = [make_officer(f"H{i}") for i in range(3)]
    late = make_post("LATE", start=at(0, 18), hours=8, required=2)
    early = make_post("EARLY", start=at(1, 8), hours=8, required=2)
    result = plan_roster([late, early], officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    check = check_roster(result.assignments, [late, early], officers, rules=RULES, joint=JOINT)
    assert check.valid
    # Only one officer is rested for the early post (the late pair ends at 02:00).
    assert len(result.shortfalls) == 1 and result.shortfalls[0].missing == 1


def test_wishes_are_honoured_where_the_cover_allows() -> None:
    day0 = at(0, 8).date()
    wishing = make_officer("H1", wishes_off=frozenset({day0}))
    venue_fan = make_officer("H2", preferred_venues=frozenset({"al-bayt"}))
    free = make_officer("H3")
    post = make_post("G", start=at(0, 8), required=1, venue_id="lusail")
    result = plan_roster([post], [wishing, venue_fan, free], joint=JOINT, workers=1)
    assert [a.officer_id for a in result.assignments] == ["H3"]
    assert result.terms.get("preferences", 0.0) == 0.0
    # Cover comes first: with only the wishing officer free, the post is still staffed.
    result = plan_roster([post], [wishing], joint=JOINT, workers=1)
    assert [a.officer_id for a in result.assignments] == ["H1"]
    assert result.terms["preferences"] == 100.0


@st.composite
def small_problems(draw: st.DrawFn) -> tuple[list[Post], list[Officer]]:
    skills = ("screening", "stewarding")
    posts = []
    for i in range(draw(st.integers(1, 6))):
        posts.append(
            make_post(
                f"P{i}",
                match_id=f"M{i % 3}",
                start=at(draw(st.integers(0, 3)), draw(st.sampled_from([6.0, 10.0, 14.0, 18.0]))),
                hours=draw(st.sampled_from([4.0, 7.5, 9.5])),
                required=draw(st.integers(1, 3)),
                skill=draw(st.sampled_from(skills)),
                joint_team=draw(st.booleans()),
            )
        )
    officers = [
        make_officer(
            f"O{i}",
            partner=draw(st.booleans()),
            skills=tuple(draw(st.sets(st.sampled_from(skills), min_size=1))),
            languages=tuple(draw(st.sets(st.sampled_from(("ar", "en", "fr")), min_size=1))),
        )
        for i in range(draw(st.integers(1, 10)))
    ]
    return posts, officers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_a_roster_never_double_books_never_breaks_rest_and_reports_every_gap(
    problem: tuple[list[Post], list[Officer]],
) -> None:
    posts, officers = problem
    result = plan_roster(posts, officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    check = check_roster(result.assignments, posts, officers, rules=RULES, joint=JOINT)
    assert check.violations == ()
    reported = sum(s.missing for s in result.shortfalls)
    assert reported == check.missing
