from __future__ import annotations

from opsroom.deployment.planner import plan_roster
from opsroom.deployment.repair import repair_roster
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.validate import check_roster

from .factories import JOINT, at, make_officer, make_post


def test_drop_outs_are_replaced_without_moving_anyone_else() -> None:
    officers = [make_officer(f"H{i}") for i in range(8)] + [
        make_officer(f"P{i}", partner=True) for i in range(4)
    ]
    posts = [
        make_post("D0", start=at(0, 10), required=3, joint_team=True),
        make_post("D1", start=at(1, 10), required=3, joint_team=True, match_id="M02"),
        make_post("D2", start=at(2, 10), required=3, joint_team=True, match_id="M03"),
    ]
    plan = plan_roster(posts, officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    assert plan.complete
    on_day1 = sorted(a.officer_id for a in plan.assignments if a.post_id == "D1")
    gone = {on_day1[0]: at(1, 0)}
    result = repair_roster(
        plan.assignments, gone, posts, officers, joint=JOINT, time_limit_per_pool=5, workers=1
    )
    assert {a.officer_id for a in result.removed} == {on_day1[0]}
    assert all(a.start < at(1, 0) for a in result.roster if a.officer_id == on_day1[0])
    assert len(result.added) == len(result.removed)
    assert result.changed_others == 0
    kept = set(plan.assignments) - set(result.removed)
    assert kept <= set(result.roster)
    check = check_roster(result.roster, posts, officers, rules=RosterRules(), joint=JOINT)
    assert check.valid and check.missing == 0


def test_a_post_under_way_is_reported_not_silently_dropped() -> None:
    officers = [make_officer(f"H{i}") for i in range(3)]
    post = make_post("NOW", start=at(0, 10), required=2)
    plan = plan_roster([post], officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    leaver = plan.assignments[0].officer_id
    result = repair_roster(
        plan.assignments, {leaver: at(0, 12)}, [post], officers, joint=JOINT, workers=1
    )
    assert [s.post_id for s in result.shortfalls] == ["NOW"]
    assert "under way" in result.shortfalls[0].reason


def test_a_joint_team_that_loses_its_only_partner_is_reported() -> None:
    officers = [make_officer(f"H{i}") for i in range(3)] + [make_officer("P0", partner=True)]
    post = make_post("J", start=at(1, 10), required=2, joint_team=True)
    plan = plan_roster([post], officers, joint=JOINT, time_limit_per_pool=5, workers=1)
    assert plan.complete
    result = repair_roster(
        plan.assignments, {"P0": at(0, 0)}, [post], officers, joint=JOINT, workers=1
    )
    assert [s.post_id for s in result.shortfalls] == ["J"]
    assert "joint-team minimums" in result.shortfalls[0].reason
    assert result.added == ()
