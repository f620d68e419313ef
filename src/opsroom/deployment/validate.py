"""An independent checker of every hard rule of a tournament roster.

It shares no code with the planner: it takes the roster as rows, the posts and the officers, and
walks each officer's shifts and each post's team. Rules (limits from :class:`RosterRules`):

- ``unknown``: the officer or the post does not exist;
- ``times``: the assignment's venue or times differ from its post's;
- ``double_booking``: two shifts of one officer overlap;
- ``qualification``: skill, accreditation zone, clearance or language missing;
- ``availability``: outside the officer's deployment dates or on leave;
- ``shift_hours``, ``day_hours``, ``week_hours`` (any 7 consecutive days): too many hours;
- ``rest``: less than ``min_rest_hours`` between two shifts;
- ``consecutive_days``: more than ``max_consecutive_days`` working days in a row;
- ``overstaffing``: more officers on a post than it requires;
- ``duplicate``: the same officer twice on one post;
- ``joint_team``: a staffed joint team without its host, partner or language minimum.

Cover below requirement is not a rule violation but is counted in ``missing``.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from opsroom.deployment.demand import JointTeamRule, Post
from opsroom.deployment.roster import Assignment
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.workforce import Officer

__all__ = ["RosterCheck", "Violation", "check_roster"]


@dataclass(frozen=True, kw_only=True)
class Violation:
    rule: str
    message: str
    officer_id: str | None = None
    post_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RosterCheck:
    violations: tuple[Violation, ...]
    assignments: int
    required: int
    missing: int

    @property
    def valid(self) -> bool:
        return not self.violations

    def by_rule(self) -> dict[str, int]:
        return dict(Counter(v.rule for v in self.violations))


def check_roster(
    assignments: Iterable[Assignment],
    posts: Iterable[Post],
    officers: Iterable[Officer],
    *,
    rules: RosterRules,
    joint: JointTeamRule,
) -> RosterCheck:
    """Check every hard rule; see the module's description."""
    post_by_id = {p.id: p for p in posts}
    officer_by_id = {o.id: o for o in officers}
    out: list[Violation] = []
    rows = list(assignments)
    shifts: dict[str, list[Assignment]] = defaultdict(list)
    teams: dict[str, list[Officer]] = defaultdict(list)
    for a in rows:
        post = post_by_id.get(a.post_id)
        officer = officer_by_id.get(a.officer_id)
        if post is None or officer is None:
            what = f"post {a.post_id}" if post is None else f"officer {a.officer_id}"
            out.append(
                Violation(
                    rule="unknown",
                    message=f"unknown {what}",
                    officer_id=a.officer_id,
                    post_id=a.post_id,
                )
            )
            continue
        if (a.start, a.end, a.venue_id) != (post.start, post.end, post.venue_id):
            out.append(
                Violation(
                    rule="times",
                    message=f"{a.officer_id} on {a.post_id}: venue or times differ from the post's",
                    officer_id=a.officer_id,
                    post_id=a.post_id,
                )
            )
        _qualification(officer, post, out)
        for day in {a.start.date(), a.end.date()}:
            if not officer.available_from <= day <= officer.available_until:
                out.append(
                    Violation(
                        rule="availability",
                        officer_id=officer.id,
                        post_id=post.id,
                        message=f"{officer.id} is not deployed on {day}",
                    )
                )
            elif any(first <= day <= last for first, last in officer.leave):
                out.append(
                    Violation(
                        rule="availability",
                        officer_id=officer.id,
                        post_id=post.id,
                        message=f"{officer.id} is on leave on {day}",
                    )
                )
        shifts[officer.id].append(a)
        teams[post.id].append(officer)
    for officer_id, own in shifts.items():
        out.extend(_officer_rules(officer_id, sorted(own), rules))
    for post_id, team in teams.items():
        out.extend(_team_rules(post_by_id[post_id], team, joint))
    required = sum(p.required for p in post_by_id.values())
    staffed = Counter(a.post_id for a in rows if a.post_id in post_by_id)
    missing = sum(max(0, p.required - staffed.get(p.id, 0)) for p in post_by_id.values())
    return RosterCheck(
        violations=tuple(out), assignments=len(rows), required=required, missing=missing
    )


def _qualification(officer: Officer, post: Post, out: list[Violation]) -> None:
    gaps = []
    if post.skill not in officer.skills:
        gaps.append(f"skill {post.skill}")
    if post.zone not in officer.zones:
        gaps.append(f"zone {post.zone}")
    if officer.clearance < post.min_clearance:
        gaps.append(f"clearance {post.min_clearance}")
    if post.languages and not officer.languages & post.languages:
        gaps.append(f"a language among {', '.join(sorted(post.languages))}")
    if gaps:
        out.append(
            Violation(
                rule="qualification",
                officer_id=officer.id,
                post_id=post.id,
                message=f"{officer.id} on {post.id} lacks {', '.join(gaps)}",
            )
        )


def _hours(a: Assignment) -> float:
    return (a.end - a.start).total_seconds() / 3600


def _officer_rules(officer_id: str, own: list[Assignment], rules: RosterRules) -> list[Violation]:
    out: list[Violation] = []

    def v(rule: str, message: str, post_id: str | None = None) -> None:
        out.append(Violation(rule=rule, message=message, officer_id=officer_id, post_id=post_id))

    own.sort(key=lambda a: (a.start, a.end))
    for a in own:
        if _hours(a) > rules.max_shift_hours + 1e-9:
            v(
                "shift_hours",
                f"{officer_id}: {_hours(a):.1f} h shift on {a.post_id}, "
                f"max {rules.max_shift_hours:g} h",
                a.post_id,
            )
    for a, b in itertools.pairwise(own):
        if a.post_id == b.post_id and a.start == b.start:
            v("duplicate", f"{officer_id} twice on {a.post_id}", a.post_id)
        elif b.start < a.end:
            v("double_booking", f"{officer_id}: {a.post_id} and {b.post_id} overlap", b.post_id)
        elif (b.start - a.end) < timedelta(hours=rules.min_rest_hours):
            rest = (b.start - a.end).total_seconds() / 3600
            v(
                "rest",
                f"{officer_id}: {rest:.1f} h rest between {a.post_id} and {b.post_id}, "
                f"min {rules.min_rest_hours:g} h",
                b.post_id,
            )
    per_day: dict[date, float] = defaultdict(float)
    for a in own:
        per_day[a.start.date()] += _hours(a)
    for day, hours in sorted(per_day.items()):
        if hours > rules.max_day_hours + 1e-9:
            v("day_hours", f"{officer_id}: {hours:.1f} h on {day}, max {rules.max_day_hours:g} h")
        week = sum(per_day.get(day - timedelta(days=k), 0.0) for k in range(7))
        if week > rules.max_week_hours + 1e-9:
            v(
                "week_hours",
                f"{officer_id}: {week:.1f} h in the 7 days to {day}, "
                f"max {rules.max_week_hours:g} h",
            )
    run, previous = 0, None
    for day in sorted(per_day):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        previous = day
        if run == rules.max_consecutive_days + 1:
            v(
                "consecutive_days",
                f"{officer_id}: more than {rules.max_consecutive_days} days in a row up to {day}",
            )
    return out


def _team_rules(post: Post, team: list[Officer], joint: JointTeamRule) -> list[Violation]:
    out: list[Violation] = []
    if len(team) > post.required:
        out.append(
            Violation(
                rule="overstaffing",
                post_id=post.id,
                message=f"{post.id}: {len(team)} officers, requires {post.required}",
            )
        )
    if post.joint_team and team:
        hosts = sum(1 for o in team if not o.partner)
        partners = len(team) - hosts
        speakers = sum(1 for o in team if joint.language in o.languages)
        if hosts < joint.min_host or partners < joint.min_partner or speakers < joint.min_speakers:
            out.append(
                Violation(
                    rule="joint_team",
                    post_id=post.id,
                    message=(
                        f"{post.id}: {hosts} host, {partners} partner, {speakers} "
                        f"'{joint.language}' speakers; needs >= {joint.min_host}, "
                        f">= {joint.min_partner}, >= {joint.min_speakers}"
                    ),
                )
            )
    return out
