"""The tournament roster: CP-SAT over pools of candidates, day by day.

Decomposition. Posts are grouped into *pools*: the posts of one match and one kind that share
one time window and one requirement. Days are planned in order; within a day, the scarcest pools
first (fewest qualified officers). Each pool gets its own candidates: qualified
officers, available that day (deployment dates, leave, drop-outs), whose shifts so far leave room
for this one (rest, daily and weekly hours, consecutive days: :meth:`Timeline.fits`), cheapest
first (ties go to officers with fewer skills), about ``POOL_FACTOR`` times the head-count; an
officer assigned in one pool is no candidate for the other pools of the day. A pool is then a
small CP-SAT model:

- hard: an officer holds at most one post of the pool; a post never gets more than it needs; a
  joint team, once staffed at all, holds ``min_host`` host officers, ``min_partner`` partner
  officers and ``min_speakers`` speakers of the joint language;
- soft: ``cover_gap`` per missing officer, plus each chosen officer's cost: hours already
  worked (fairness), night hours already worked (night fairness, for posts with night hours),
  a change of venue (continuity) and the distance from home base (travel); see
  :mod:`opsroom.deployment.rules`.

Every pool reports its objective and CP-SAT's bound; their sums are the plan's objective and
bound (a bound of the decomposed problem, not of the monolithic one). Posts left short are
reported with the reason, never left silently empty.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from ortools.sat.python import cp_model

from opsroom.deployment.demand import JointTeamRule, Post
from opsroom.deployment.roster import Assignment, PlanResult, Shortfall
from opsroom.deployment.rules import RosterRules, SoftWeights
from opsroom.deployment.timeline import Timeline, night_hours
from opsroom.deployment.workforce import Officer

__all__ = ["POOL_FACTOR", "Planner", "plan_roster"]

POOL_FACTOR = 1.5  # candidates per required head in a pool (default, tuned on qatar2022)
_SCALE = 10  # costs are multiplied by this and rounded to integers for CP-SAT
_VERSATILITY = 5.0  # ordering points per skill held, when choosing candidates (not in objective)

Progress = Callable[[int, int], None]  # (pools done, pools in all)
Coordinates = Mapping[str, tuple[float, float]]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine, Earth radius 6371 km)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def qualifies(officer: Officer, post: Post) -> bool:
    """Skill, accreditation zone, clearance and (when the post names any) a language."""
    return (
        post.skill in officer.skills
        and post.zone in officer.zones
        and officer.clearance >= post.min_clearance
        and (not post.languages or bool(officer.languages & post.languages))
    )


@dataclass(frozen=True, kw_only=True)
class _Pool:
    posts: tuple[Post, ...]

    @property
    def first(self) -> Post:
        return self.posts[0]

    @property
    def required(self) -> int:
        return sum(p.required for p in self.posts)


class Planner:
    """Holds the officers' timelines while pools are solved one after another."""

    def __init__(
        self,
        officers: Sequence[Officer],
        *,
        rules: RosterRules,
        weights: SoftWeights,
        joint: JointTeamRule,
        coordinates: Coordinates,
        unavailable_from: Mapping[str, datetime] | None = None,
        time_limit_per_pool: float = 10.0,
        workers: int = 2,
    ) -> None:
        self.officers = list(officers)
        self.index = {o.id: i for i, o in enumerate(self.officers)}
        self.rules, self.weights, self.joint = rules, weights, joint
        self.coordinates = coordinates
        self.unavailable_from = dict(unavailable_from or {})
        self.time_limit = time_limit_per_pool
        self.workers = workers
        self.timelines = [Timeline() for _ in self.officers]
        self.hours = [0.0] * len(self.officers)
        self.night = [0.0] * len(self.officers)
        self.last_venue: list[str | None] = [None] * len(self.officers)
        self._qualified: dict[tuple[object, ...], list[int]] = {}
        self.members: dict[str, list[int]] = defaultdict(list)  # post id -> officer indices
        self.assignments: list[Assignment] = []
        self.shortfalls: list[Shortfall] = []
        self.objective = 0.0
        self.bound = 0.0
        self.terms: dict[str, float] = defaultdict(float)
        self.subproblems = 0
        self._distances: dict[tuple[str, str], float | None] = {}

    # -- state --------------------------------------------------------------------------------
    def record(self, officer: int, post: Post) -> None:
        o = self.officers[officer]
        self.timelines[officer].add(post.start, post.end)
        self.hours[officer] += post.hours
        self.night[officer] += night_hours(post.start, post.end)
        self.last_venue[officer] = post.venue_id
        self.members[post.id].append(officer)
        self.assignments.append(
            Assignment(
                officer_id=o.id,
                agency=o.agency,
                post_id=post.id,
                venue_id=post.venue_id,
                start=post.start,
                end=post.end,
            )
        )

    def qualified(self, post: Post) -> list[int]:
        key = (post.skill, post.zone, post.min_clearance, post.languages)
        if key not in self._qualified:
            self._qualified[key] = [i for i, o in enumerate(self.officers) if qualifies(o, post)]
        return self._qualified[key]

    def available(self, officer: int, post: Post) -> bool:
        o = self.officers[officer]
        if not (o.works_on(post.start.date()) and o.works_on(post.end.date())):
            return False
        gone = self.unavailable_from.get(o.id)
        if gone is not None and gone < post.end:
            return False
        return self.timelines[officer].fits(post.start, post.end, self.rules)

    def distance(self, home_base: str, venue_id: str) -> float | None:
        key = (home_base, venue_id)
        if key not in self._distances:
            home, venue = self.coordinates.get(home_base), self.coordinates.get(venue_id)
            self._distances[key] = (
                distance_km(home, venue) if home is not None and venue is not None else None
            )
        return self._distances[key]

    def cost(self, officer: int, post: Post, *, night: bool) -> tuple[float, dict[str, float]]:
        """The officer's cost on ``post`` (``night``: the post has night hours) and its terms."""
        w = self.weights
        terms = {"fairness": w.fairness_per_hour * self.hours[officer]}
        if night:
            terms["night_fairness"] = w.night_fairness_per_hour * self.night[officer]
        last = self.last_venue[officer]
        if last is not None and last != post.venue_id:
            terms["continuity"] = float(w.continuity)
        o = self.officers[officer]
        km = self.distance(o.home_base, post.venue_id)
        if km is not None:
            terms["travel"] = w.travel_per_km * km
        preference = 0.0
        if post.start.date() in o.wishes_off:
            preference += w.wish_off
        if o.preferred_venues and post.venue_id not in o.preferred_venues:
            preference += w.venue_preference
        if preference:
            terms["preferences"] = preference
        return sum(terms.values()), terms

    # -- one pool -----------------------------------------------------------------------------
    def candidates(self, pool: _Pool, taken: set[int]) -> tuple[list[int], int]:
        """Cheapest available qualified officers for ``pool``, and how many are qualified."""
        post = pool.first
        night = night_hours(post.start, post.end) > 0
        qualified = self.qualified(post)
        # Cheapest first; among equals, officers with fewer skills first, so that the rarer
        # skills of versatile officers stay free for the pools that need them.
        order = sorted(
            (i for i in qualified if i not in taken),
            key=lambda i: (
                self.cost(i, post, night=night)[0] + _VERSATILITY * len(self.officers[i].skills)
            ),
        )
        target = math.ceil(pool.required * POOL_FACTOR) + 2
        joint = any(p.joint_team for p in pool.posts)
        n = len(pool.posts)
        need = {
            "host": n * self.joint.min_host * 2 if joint else 0,
            "partner": n * self.joint.min_partner * 2 if joint else 0,
            "speaker": n * self.joint.min_speakers * 2 if joint else 0,
        }
        chosen: list[int] = []
        for i in order:
            o = self.officers[i]
            kinds = {
                "host": not o.partner,
                "partner": o.partner,
                "speaker": self.joint.language in o.languages,
            }
            wanted = len(chosen) < target or any(need[k] > 0 and kinds[k] for k in need)
            if not wanted:
                if all(v <= 0 for v in need.values()):
                    break
                continue
            if not self.available(i, post):
                continue
            chosen.append(i)
            for k, is_kind in kinds.items():
                if is_kind:
                    need[k] -= 1
        return chosen, len(qualified)

    def solve_pool(self, pool: _Pool, taken: set[int]) -> None:
        chosen, n_qualified = self.candidates(pool, taken)
        model = cp_model.CpModel()
        x: dict[tuple[int, int], cp_model.IntVar] = {}
        night = night_hours(pool.first.start, pool.first.end) > 0
        costs = {i: self.cost(i, pool.first, night=night) for i in chosen}
        for i in chosen:
            row = []
            for p in range(len(pool.posts)):
                x[(i, p)] = var = model.new_bool_var(f"x{i}_{p}")
                row.append(var)
            model.add_at_most_one(row)
        gaps = []
        for p, post in enumerate(pool.posts):
            fixed = self.members.get(post.id, [])
            terms = [x[(i, p)] for i in chosen]
            have = len(fixed)
            gap = model.new_int_var(0, max(0, post.required - have), f"gap{p}")
            model.add(sum(terms) + have + gap == post.required)
            gaps.append(gap)
            if post.joint_team:
                staffed = model.new_bool_var(f"staffed{p}")
                model.add(sum(terms) + have >= 1).only_enforce_if(staffed)
                model.add(sum(terms) + have == 0).only_enforce_if(~staffed)
                for kind, minimum in (
                    ("host", self.joint.min_host),
                    ("partner", self.joint.min_partner),
                    ("speaker", self.joint.min_speakers),
                ):
                    members = [i for i in chosen if self._is(i, kind)]
                    present = sum(1 for i in fixed if self._is(i, kind))
                    model.add(sum(x[(i, p)] for i in members) + present >= minimum).only_enforce_if(
                        staffed
                    )
        model.minimize(
            self.weights.cover_gap * _SCALE * sum(gaps)
            + sum(round(costs[i][0] * _SCALE) * x[(i, p)] for (i, p) in x)
        )
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = self.time_limit
        solver.parameters.num_workers = self.workers
        status = solver.solve(model)
        self.subproblems += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            reason = (
                "the joint-team minimums cannot be met with the officers already on the post "
                "and those free"
                if status == cp_model.INFEASIBLE
                else "the solver found no assignment within its time limit"
            )
            for post in pool.posts:
                self._short(post, post.required - len(self.members.get(post.id, [])), reason)
            return
        self.objective += solver.objective_value / _SCALE
        self.bound += solver.best_objective_bound / _SCALE
        for (i, p), var in x.items():
            if solver.boolean_value(var):
                for name, value in costs[i][1].items():
                    self.terms[name] += value
                self.record(i, pool.posts[p])
                taken.add(i)
        for p, post in enumerate(pool.posts):
            missing = solver.value(gaps[p])
            if missing:
                self.terms["cover_gap"] += self.weights.cover_gap * missing
                self._short(post, missing, self._reason(post, n_qualified, len(chosen)))

    def _is(self, officer: int, kind: str) -> bool:
        o = self.officers[officer]
        if kind == "host":
            return not o.partner
        if kind == "partner":
            return o.partner
        return self.joint.language in o.languages

    def _reason(self, post: Post, qualified: int, free: int) -> str:
        needs = f"skill {post.skill}, zone {post.zone}, clearance >= {post.min_clearance}"
        if post.languages:
            needs += f", a language among {', '.join(sorted(post.languages))}"
        text = (
            f"{qualified} officers hold {needs}; {free} of them are free for "
            f"{post.start:%Y-%m-%d %H:%M}-{post.end:%H:%M} (others are on leave, off deployment, "
            f"at another post that day, or out of rest/hours)"
        )
        if post.joint_team:
            text += (
                f"; a joint team also needs >= {self.joint.min_host} host, "
                f">= {self.joint.min_partner} partner and >= {self.joint.min_speakers} "
                f"'{self.joint.language}' speaker(s)"
            )
        return text

    def _short(self, post: Post, missing: int, reason: str) -> None:
        self.shortfalls.append(
            Shortfall(
                post_id=post.id,
                venue_id=post.venue_id,
                start=post.start,
                end=post.end,
                required=post.required,
                assigned=post.required - missing,
                reason=reason,
            )
        )

    # -- the whole plan -----------------------------------------------------------------------
    def solve(self, posts: Sequence[Post], progress: Progress | None = None) -> None:
        pools = make_pools(posts)
        by_day: dict[date, list[_Pool]] = defaultdict(list)
        for pool in pools:
            by_day[pool.first.day].append(pool)
        done = 0
        for day in sorted(by_day):
            taken: set[int] = set()
            # Rarest qualification first (control room, close protection...), so that pools of
            # common skills do not use up the officers the rare ones depend on.
            ordered = sorted(
                by_day[day], key=lambda pool: (len(self.qualified(pool.first)), pool.first.id)
            )
            for pool in ordered:
                self.solve_pool(pool, taken)
                done += 1
                if progress:
                    progress(done, len(pools))

    def result(self, started: float) -> PlanResult:
        return PlanResult(
            assignments=tuple(sorted(self.assignments)),
            shortfalls=tuple(sorted(self.shortfalls, key=lambda s: (s.start, s.post_id))),
            objective=round(self.objective, 3),
            bound=round(min(self.bound, self.objective), 3),
            terms={k: round(v, 3) for k, v in sorted(self.terms.items())},
            subproblems=self.subproblems,
            seconds=time.monotonic() - started,
        )


def make_pools(posts: Sequence[Post]) -> list[_Pool]:
    """Posts grouped by match, kind, time window and requirement, in order of start."""
    groups: dict[tuple[object, ...], list[Post]] = defaultdict(list)
    for post in posts:
        key = (
            post.match_id,
            post.kind,
            post.start,
            post.end,
            post.skill,
            post.zone,
            post.min_clearance,
            post.languages,
        )
        groups[key].append(post)
    return sorted(
        (_Pool(posts=tuple(group)) for group in groups.values()),
        key=lambda pool: (pool.first.start, pool.first.id),
    )


def plan_roster(
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
) -> PlanResult:
    """Staff every post from ``officers`` under the hard rules; see the module's description."""
    started = time.monotonic()
    planner = Planner(
        officers,
        rules=rules or RosterRules(),
        weights=weights or SoftWeights(),
        joint=joint,
        coordinates=coordinates or {},
        time_limit_per_pool=time_limit_per_pool,
        workers=workers,
    )
    planner.solve(posts, progress)
    return planner.result(started)
