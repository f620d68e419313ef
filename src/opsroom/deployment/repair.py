"""Repair a published roster after drop-outs, changing nobody else's assignments.

Each drop-out makes an officer unavailable from a time on. Their assignments that end after that
time are removed. Posts that start at or after the drop-out are re-staffed: each such post keeps
its remaining team and gets replacements from officers whose whole timeline (before *and* after
the post, as published) still keeps every hard rule, through the same pool model as the planner
(cover first, then fairness, continuity and travel; joint-team minimums counted with the officers
who stay). Nobody who stays is moved, so the only changes are the removals and the replacements;
``changed_others`` counts any other difference between the rosters and is 0 by construction.
A post already under way at the drop-out time is reported as a shortfall, to be handled on site.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from opsroom.deployment.demand import JointTeamRule, Post
from opsroom.deployment.planner import Coordinates, Planner, Progress, make_pools
from opsroom.deployment.roster import Assignment, Shortfall
from opsroom.deployment.rules import RosterRules, SoftWeights
from opsroom.deployment.workforce import Officer
from opsroom.errors import InvalidInputError, Problem

__all__ = ["RepairResult", "repair_roster"]


@dataclass(frozen=True, kw_only=True)
class RepairResult:
    roster: tuple[Assignment, ...]
    removed: tuple[Assignment, ...]
    added: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    changed_others: int
    objective: float
    bound: float
    seconds: float


def repair_roster(
    roster: Sequence[Assignment],
    dropouts: Mapping[str, datetime],
    posts: Sequence[Post],
    officers: Sequence[Officer],
    *,
    joint: JointTeamRule,
    rules: RosterRules | None = None,
    weights: SoftWeights | None = None,
    coordinates: Coordinates | None = None,
    time_limit_per_pool: float = 10.0,
    workers: int = 2,
    progress: Progress | None = None,
) -> RepairResult:
    """Remove the drop-outs' assignments from their drop-out time and re-staff their posts."""
    started = time.monotonic()
    known = {o.id for o in officers}
    unknown = sorted(set(dropouts) - known)
    if unknown:
        raise InvalidInputError(
            "drop-outs name unknown officers",
            [Problem(f"unknown officer {o!r}", field="officer_id") for o in unknown],
        )
    post_by_id = {p.id: p for p in posts}
    missing_posts = sorted({a.post_id for a in roster} - set(post_by_id))
    if missing_posts:
        raise InvalidInputError(
            "the roster names posts the demand does not have",
            [Problem(f"unknown post {p!r}", field="post_id") for p in missing_posts[:20]],
        )
    removed = [a for a in roster if a.officer_id in dropouts and a.end > dropouts[a.officer_id]]
    removed_set = set(removed)
    kept = [a for a in roster if a not in removed_set]
    planner = Planner(
        officers,
        rules=rules or RosterRules(),
        weights=weights or SoftWeights(),
        joint=joint,
        coordinates=coordinates or {},
        unavailable_from=dropouts,
        time_limit_per_pool=time_limit_per_pool,
        workers=workers,
    )
    for a in sorted(kept):
        planner.record(planner.index[a.officer_id], post_by_id[a.post_id])
    before = len(planner.assignments)
    affected: list[Post] = []
    for post_id in sorted({a.post_id for a in removed}):
        post = post_by_id[post_id]
        drop_time = min(dropouts[a.officer_id] for a in removed if a.post_id == post_id)
        if post.start >= drop_time:
            affected.append(post)
        else:
            lost = sum(1 for a in removed if a.post_id == post_id)
            planner.shortfalls.append(
                Shortfall(
                    post_id=post.id,
                    venue_id=post.venue_id,
                    start=post.start,
                    end=post.end,
                    required=post.required,
                    assigned=post.required - lost,
                    reason="under way when the officer dropped out: replace on site",
                )
            )
    pools = make_pools(affected)
    taken: dict[date, set[int]] = defaultdict(set)
    for done, pool in enumerate(pools, start=1):
        planner.solve_pool(pool, taken[pool.first.day])
        if progress:
            progress(done, len(pools))
    added = tuple(sorted(planner.assignments[before:]))
    new_roster = tuple(sorted(planner.assignments))
    changed = len(set(roster) ^ set(new_roster)) - len(removed) - len(added)
    return RepairResult(
        roster=new_roster,
        removed=tuple(sorted(removed)),
        added=added,
        shortfalls=tuple(sorted(planner.shortfalls, key=lambda s: (s.start, s.post_id))),
        changed_others=changed,
        objective=round(planner.objective, 3),
        bound=round(min(planner.bound, planner.objective), 3),
        seconds=time.monotonic() - started,
    )
