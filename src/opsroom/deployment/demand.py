"""Staffing demand: the posts each match needs, with their times, head-counts and requirements.

For every match the planner opens one window per post, from the staff briefing before the gates
open to the time the surroundings are clear of fans (``windows`` in ``defaults.yaml``), and asks
for:

- perimeter screening: ``officers_per_lane`` per screening lane of each gate (a joint team);
- turnstile supervisors: one per ``turnstiles_per_supervisor`` turnstiles of each gate;
- stewards: one per ``spectators_per_steward`` spectators of each sector (seats scaled by the
  match's attendance when published);
- transport nodes (metro stations, bus hubs, car parks, drop-offs): one officer per
  ``fans_per_officer`` fans arriving there (the node's ``arrival_share`` of the spectators);
- response teams: ``team_size`` officers per started ``spectators_per_team`` (a joint team);
- the venue control room, VIP close protection and an escort per team.

Every number and its source is in ``defaults.yaml``; a user's YAML file overrides any of them.
The crowd engine's sizing of checkpoints, a mapping ``gate_id -> (lanes, turnstiles)``, replaces
the scenario's figures gate by gate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from opsroom.errors import InvalidInputError, Problem
from opsroom.files import read_yaml
from opsroom.scenario import Match, Scenario, Stage

__all__ = [
    "DemandRules",
    "Post",
    "PostKind",
    "build_demand",
    "default_rules",
    "load_rules",
]


class PostKind(StrEnum):
    SCREENING = "screening"
    TURNSTILE = "turnstile"
    STEWARD = "steward"
    TRANSPORT = "transport"
    RESPONSE = "response"
    CONTROL_ROOM = "control_room"
    VIP_ESCORT = "vip_escort"
    TEAM_ESCORT = "team_escort"


@dataclass(frozen=True, kw_only=True)
class Post:
    """A post to staff: ``required`` officers from ``start`` to ``end`` (aware datetimes)."""

    id: str
    kind: PostKind
    match_id: str
    venue_id: str
    start: datetime
    end: datetime
    required: int
    skill: str
    zone: str
    min_clearance: int
    languages: frozenset[str] = frozenset()  # each officer speaks at least one (empty: any)
    joint_team: bool = False

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError(f"post {self.id}: times must carry their UTC offset")
        if self.end <= self.start:
            raise ValueError(f"post {self.id}: ends before it starts")
        if self.required < 1:
            raise ValueError(f"post {self.id}: needs at least one officer")

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @property
    def day(self) -> date:
        """The local date the post starts on."""
        return self.start.date()


class _Rules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WindowRules(_Rules):
    gates_open_before_kickoff_min: int = Field(ge=0)
    briefing_before_gates_min: int = Field(ge=0)
    match_duration_min: int = Field(gt=0)
    knockout_extra_min: int = Field(ge=0)
    egress_clear_after_final_whistle_min: int = Field(ge=0)


class PostRule(_Rules):
    skill: str = Field(min_length=1)
    zone: str = Field(min_length=1)
    min_clearance: int = Field(ge=0, le=5)
    joint_team: bool = False
    languages: tuple[str, ...] = ()


class ScreeningRule(PostRule):
    officers_per_lane: int = Field(gt=0)


class TurnstileRule(PostRule):
    turnstiles_per_supervisor: int = Field(gt=0)


class StewardRule(PostRule):
    spectators_per_steward: int = Field(gt=0)


class TransportRule(PostRule):
    fans_per_officer: int = Field(gt=0)


class ResponseRule(PostRule):
    team_size: int = Field(gt=0)
    spectators_per_team: int = Field(gt=0)


class ControlRoomRule(PostRule):
    officers: int = Field(gt=0)


class VipRule(PostRule):
    officers: int = Field(gt=0)
    officers_high_profile: int = Field(gt=0)


class TeamEscortRule(PostRule):
    officers_per_team: int = Field(gt=0)
    start_before_kickoff_min: int = Field(ge=0)
    end_after_kickoff_min: int = Field(gt=0)


class PostRules(_Rules):
    screening: ScreeningRule
    turnstile: TurnstileRule
    steward: StewardRule
    transport: TransportRule
    response: ResponseRule
    control_room: ControlRoomRule
    vip_escort: VipRule
    team_escort: TeamEscortRule


class JointTeamRule(_Rules):
    min_host: int = Field(ge=0)
    min_partner: int = Field(ge=0)
    language: str = Field(min_length=2)
    min_speakers: int = Field(ge=0)


class DemandRules(_Rules):
    """Every default ratio and window of the demand (``defaults.yaml`` documents each)."""

    windows: WindowRules
    posts: PostRules
    joint_team: JointTeamRule


def _defaults_text() -> str:
    return resources.files("opsroom.deployment").joinpath("defaults.yaml").read_text("utf-8")


def default_rules() -> DemandRules:
    return DemandRules.model_validate(yaml.safe_load(_defaults_text()))


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_rules(path: Path | None) -> DemandRules:
    """The default rules, overridden by the keys of ``path`` (a YAML file) when given."""
    base: dict[str, Any] = yaml.safe_load(_defaults_text())
    if path is None:
        return DemandRules.model_validate(base)
    override = read_yaml(path, what="rules file")
    if override is None:
        raise InvalidInputError(f"{path} is empty: give the rules to override, or no --rules")
    if not isinstance(override, Mapping):
        raise InvalidInputError(f"{path} must hold a mapping of rules")
    try:
        return DemandRules.model_validate(_merge(base, override))
    except ValidationError as exc:
        problems = [
            Problem(e["msg"], file=str(path), field=".".join(str(p) for p in e["loc"]))
            for e in exc.errors()
        ]
        raise InvalidInputError(f"invalid staffing rules in {path}", problems) from exc


def _window(match: Match, rules: WindowRules) -> tuple[datetime, datetime]:
    start = match.kickoff - timedelta(
        minutes=rules.gates_open_before_kickoff_min + rules.briefing_before_gates_min
    )
    extra = rules.knockout_extra_min if match.stage != Stage.GROUP else 0
    end = match.kickoff + timedelta(
        minutes=rules.match_duration_min + extra + rules.egress_clear_after_final_whistle_min
    )
    return start, end


def build_demand(
    scenario: Scenario,
    rules: DemandRules | None = None,
    *,
    checkpoints: Mapping[str, tuple[int, int]] | None = None,
    matches: tuple[str, ...] | None = None,
) -> tuple[Post, ...]:
    """Every post of every match (or of ``matches``), in kick-off order.

    ``checkpoints`` maps a gate id to its (screening lanes, turnstiles), e.g. as sized by the
    crowd engine; gates not in it keep the scenario's figures.
    """
    rules = rules or default_rules()
    checkpoints = dict(checkpoints or {})
    known_gates = {g.id for g in scenario.gates}
    unknown = sorted(set(checkpoints) - known_gates)
    if unknown:
        raise InvalidInputError(
            "checkpoint sizes name unknown gates",
            [Problem(f"unknown gate {g!r}", field="gate_id") for g in unknown],
        )
    chosen = scenario.matches
    if matches is not None:
        chosen = tuple(scenario.match(m) for m in matches)
    posts: list[Post] = []
    for match in sorted(chosen, key=lambda m: (m.kickoff, m.id)):
        posts.extend(_match_posts(scenario, rules, match, checkpoints))
    return tuple(posts)


def _match_posts(
    scenario: Scenario,
    rules: DemandRules,
    match: Match,
    checkpoints: Mapping[str, tuple[int, int]],
) -> list[Post]:
    venue = scenario.venue(match.venue_id)
    start, end = _window(match, rules.windows)
    spectators = match.attendance or venue.capacity
    scale = spectators / venue.capacity
    p = rules.posts
    out: list[Post] = []

    def post(kind: PostKind, suffix: str, required: int, rule: PostRule, **times: datetime) -> None:
        out.append(
            Post(
                id=f"{match.id}-{kind.value}-{suffix}",
                kind=kind,
                match_id=match.id,
                venue_id=venue.id,
                start=times.get("start", start),
                end=times.get("end", end),
                required=required,
                skill=rule.skill,
                zone=rule.zone,
                min_clearance=rule.min_clearance,
                languages=frozenset(rule.languages),
                joint_team=rule.joint_team,
            )
        )

    for gate in scenario.gates_of(venue.id):
        lanes, turnstiles = checkpoints.get(gate.id, (gate.screening_lanes, gate.turnstiles))
        if lanes > 0:
            post(PostKind.SCREENING, gate.id, lanes * p.screening.officers_per_lane, p.screening)
        if turnstiles > 0:
            supervisors = math.ceil(turnstiles / p.turnstile.turnstiles_per_supervisor)
            post(PostKind.TURNSTILE, gate.id, supervisors, p.turnstile)
    for sector in scenario.sectors_of(venue.id):
        stewards = math.ceil(sector.capacity * scale / p.steward.spectators_per_steward)
        post(PostKind.STEWARD, sector.id, max(1, stewards), p.steward)
    for node in scenario.transport_of(venue.id):
        fans = spectators * node.arrival_share
        if fans > 0:
            officers = math.ceil(fans / p.transport.fans_per_officer)
            post(PostKind.TRANSPORT, node.id, officers, p.transport)
    teams = math.ceil(spectators / p.response.spectators_per_team)
    post(PostKind.RESPONSE, venue.id, teams * p.response.team_size, p.response)
    post(PostKind.CONTROL_ROOM, venue.id, p.control_room.officers, p.control_room)
    high_profile = match.stage in (Stage.SEMI_FINAL, Stage.FINAL)
    vip = p.vip_escort.officers_high_profile if high_profile else p.vip_escort.officers
    post(PostKind.VIP_ESCORT, venue.id, vip, p.vip_escort)
    escort = p.team_escort
    for side, team in (("home", match.home), ("away", match.away)):
        post(
            PostKind.TEAM_ESCORT,
            team or side,
            escort.officers_per_team,
            escort,
            start=match.kickoff - timedelta(minutes=escort.start_before_kickoff_min),
            end=match.kickoff + timedelta(minutes=escort.end_after_kickoff_min),
        )
    return out
