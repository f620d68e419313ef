from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import pytest

from opsroom.deployment.demand import PostKind, build_demand, default_rules, load_rules
from opsroom.errors import InvalidInputError, NotFoundError
from opsroom.scenario import load_scenario

SCENARIO = load_scenario("qatar2022")


def test_each_gate_gets_screening_and_turnstile_posts_from_its_figures() -> None:
    rules = default_rules()
    posts = build_demand(SCENARIO, matches=("M01",))
    match = SCENARIO.match("M01")
    for gate in SCENARIO.gates_of(match.venue_id):
        screening = next(p for p in posts if p.id == f"M01-screening-{gate.id}")
        assert screening.required == gate.screening_lanes * rules.posts.screening.officers_per_lane
        assert screening.joint_team
        turnstile = next(p for p in posts if p.id == f"M01-turnstile-{gate.id}")
        assert turnstile.required == math.ceil(gate.turnstiles / 4)


def test_stewards_follow_the_ratio_and_windows_run_from_briefing_to_egress() -> None:
    posts = build_demand(SCENARIO, matches=("M01",))
    match = SCENARIO.match("M01")
    venue = SCENARIO.venue(match.venue_id)
    stewards = [p for p in posts if p.kind == PostKind.STEWARD]
    assert len(stewards) == len(SCENARIO.sectors_of(venue.id))
    for post, sector in zip(stewards, SCENARIO.sectors_of(venue.id), strict=True):
        assert post.required == math.ceil(sector.capacity / 250)
        assert post.start == match.kickoff - timedelta(minutes=240)
        assert post.end == match.kickoff + timedelta(minutes=115 + 90)


def test_knockout_windows_allow_extra_time_and_the_final_doubles_vip_escort() -> None:
    final = max(SCENARIO.matches, key=lambda m: m.kickoff)
    posts = build_demand(SCENARIO, matches=(final.id,))
    screening = next(p for p in posts if p.kind == PostKind.SCREENING)
    assert screening.end == final.kickoff + timedelta(minutes=115 + 50 + 90)
    vip = next(p for p in posts if p.kind == PostKind.VIP_ESCORT)
    assert vip.required == 8


def test_checkpoint_sizes_override_one_gate_only() -> None:
    gates = SCENARIO.gates_of("al-bayt")
    sized = build_demand(SCENARIO, matches=("M01",), checkpoints={gates[0].id: (3, 9)})
    by_id = {p.id: p for p in sized}
    assert by_id[f"M01-screening-{gates[0].id}"].required == 6
    assert by_id[f"M01-turnstile-{gates[0].id}"].required == 3
    assert by_id[f"M01-screening-{gates[1].id}"].required == gates[1].screening_lanes * 2
    with pytest.raises(InvalidInputError, match="unknown gates"):
        build_demand(SCENARIO, matches=("M01",), checkpoints={"nowhere": (1, 1)})


def test_yaml_overrides_a_ratio_and_names_a_bad_field(tmp_path: Path) -> None:
    good = tmp_path / "rules.yaml"
    good.write_text("posts:\n  steward:\n    spectators_per_steward: 500\n")
    rules = load_rules(good)
    assert rules.posts.steward.spectators_per_steward == 500
    assert rules.posts.screening.officers_per_lane == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("posts:\n  steward:\n    spectators_per_steward: -1\n    colour: red\n")
    with pytest.raises(InvalidInputError) as caught:
        load_rules(bad)
    fields = {p.field for p in caught.value.problems}
    assert "posts.steward.spectators_per_steward" in fields
    assert "posts.steward.colour" in fields
    with pytest.raises(NotFoundError):
        load_rules(tmp_path / "missing.yaml")


def test_whole_tournament_demand_is_in_order_and_within_one_shift() -> None:
    posts = build_demand(SCENARIO)
    assert len({p.match_id for p in posts}) == 64
    assert [p.start for p in posts if p.kind == PostKind.CONTROL_ROOM] == sorted(
        p.start for p in posts if p.kind == PostKind.CONTROL_ROOM
    )
    assert max(p.hours for p in posts) <= 10


def test_transport_nodes_get_officers_by_their_share_of_arrivals() -> None:
    posts = {p.id: p for p in build_demand(SCENARIO, matches=("M02",))}
    venue = SCENARIO.venue("khalifa")
    for node in SCENARIO.transport_of(venue.id):
        post = posts[f"M02-transport-{node.id}"]
        assert post.required == math.ceil(venue.capacity * node.arrival_share / 1000)
        assert post.kind == PostKind.TRANSPORT
