"""Tiny factories for deployment tests: posts, officers and a joint-team rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from opsroom.deployment.demand import JointTeamRule, Post, PostKind
from opsroom.deployment.workforce import Officer, Rank

QATAR = timezone(timedelta(hours=3))
DAY0 = datetime(2022, 11, 20, 12, 0, tzinfo=QATAR)
JOINT = JointTeamRule(min_host=1, min_partner=1, language="ar", min_speakers=1)


def at(day: int, hour: float = 12.0) -> datetime:
    return datetime(2022, 11, 20, tzinfo=QATAR) + timedelta(days=day, hours=hour)


def make_post(
    post_id: str = "P1",
    *,
    start: datetime = DAY0,
    hours: float = 8.0,
    required: int = 2,
    skill: str = "screening",
    zone: str = "perimeter",
    min_clearance: int = 1,
    languages: frozenset[str] = frozenset(),
    joint_team: bool = False,
    venue_id: str = "lusail",
    match_id: str = "M01",
    kind: PostKind = PostKind.SCREENING,
) -> Post:
    return Post(
        id=post_id,
        kind=kind,
        match_id=match_id,
        venue_id=venue_id,
        start=start,
        end=start + timedelta(hours=hours),
        required=required,
        skill=skill,
        zone=zone,
        min_clearance=min_clearance,
        languages=languages,
        joint_team=joint_team,
    )


def make_officer(
    officer_id: str = "H1",
    *,
    partner: bool = False,
    skills: tuple[str, ...] = ("screening", "stewarding"),
    languages: tuple[str, ...] = ("ar",),
    clearance: int = 2,
    zones: tuple[str, ...] = ("perimeter", "bowl"),
    home_base: str = "lusail",
    leave: tuple[tuple[date, date], ...] = (),
    available_from: date = date(2022, 11, 1),
    available_until: date = date(2022, 12, 31),
    wishes_off: frozenset[date] = frozenset(),
    preferred_venues: frozenset[str] = frozenset(),
) -> Officer:
    return Officer(
        id=officer_id,
        agency="MA-DGSN" if partner else "QA-MOI",
        partner=partner,
        rank=Rank.CONSTABLE,
        skills=frozenset(skills),
        languages=frozenset(languages),
        clearance=clearance,
        zones=frozenset(zones),
        home_base=home_base,
        available_from=available_from,
        available_until=available_until,
        leave=leave,
        wishes_off=wishes_off,
        preferred_venues=preferred_venues,
    )
