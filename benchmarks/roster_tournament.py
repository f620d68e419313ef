"""Whole-tournament roster and a 5 % drop-out repair, with the figures the targets name.

    .venv/bin/python benchmarks/roster_tournament.py                      # 12,000 officers
    .venv/bin/python benchmarks/roster_tournament.py --officers 4000 --matches 16

Plans every match of the built-in qatar2022 scenario with a synthetic workforce (a quarter from
partner agencies), checks the roster with the independent checker, then drops 5 % of the officers
who have assignments, from the morning of the day after the first matchday, repairs, and
checks again. Targets: plan <= 300 s with zero hard violations and full cover; repair <= 30 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta

from opsroom.deployment.demand import build_demand, default_rules
from opsroom.deployment.planner import plan_roster
from opsroom.deployment.repair import repair_roster
from opsroom.deployment.report import fairness
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.validate import check_roster
from opsroom.deployment.workforce_io import generate_workforce
from opsroom.scenario import load_scenario


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=12_000)
    parser.add_argument("--partners", type=int, help="default: a quarter of --officers")
    parser.add_argument("--matches", type=int, help="only the first N matches")
    parser.add_argument("--dropout", type=float, default=0.05, help="share of officers (0.05)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"# {' '.join(sys.argv)}  ({os.cpu_count()} cores, CP-SAT workers={args.workers})")

    scenario = load_scenario("qatar2022")
    rules = default_rules()
    chosen = tuple(m.id for m in scenario.matches[: args.matches]) if args.matches else None
    posts = build_demand(scenario, rules, matches=chosen)
    partners = args.partners if args.partners is not None else args.officers // 4
    officers = generate_workforce(
        scenario, officers=args.officers, partners=partners, seed=args.seed
    )
    days = len({p.day for p in posts})
    span = (max(p.end for p in posts).date() - min(p.start for p in posts).date()).days + 1
    print(
        f"demand: {len({p.match_id for p in posts})} matches, {len(posts)} posts, "
        f"{sum(p.required for p in posts):,} officer-shifts over {days} match days "
        f"({span} calendar days); workforce {len(officers):,} officers ({partners:,} partner)"
    )
    coordinates = {v.id: (v.lat, v.lon) for v in scenario.venues}

    started = time.monotonic()
    plan = plan_roster(
        posts, officers, joint=rules.joint_team, coordinates=coordinates, workers=args.workers
    )
    plan_seconds = time.monotonic() - started
    check = check_roster(
        plan.assignments, posts, officers, rules=RosterRules(), joint=rules.joint_team
    )
    spread = fairness(plan.assignments)
    print(
        f"plan: {plan_seconds:.1f} s, {plan.subproblems} pools, {len(plan.assignments):,} "
        f"assignments, cover {check.required - check.missing:,}/{check.required:,}, "
        f"{len(plan.shortfalls)} short posts, hard violations {len(check.violations)}"
    )
    print(
        f"plan objective {plan.objective:,.1f}, bound {plan.bound:,.1f}, gap {plan.gap:.2%}; "
        + ", ".join(f"{k} {v:,.1f}" for k, v in plan.terms.items())
    )
    print(
        f"hours per officer used: {spread['officers']:.0f} officers, mean {spread['mean_h']:.1f} "
        f"h, std dev {spread['stdev_h']:.1f} h, min {spread['min_h']:.1f} h, "
        f"max {spread['max_h']:.1f} h"
    )

    rng = random.Random(args.seed)
    working = sorted({a.officer_id for a in plan.assignments})
    dropped = rng.sample(working, round(len(working) * args.dropout))
    first_day = min(p.start for p in posts)
    cutoff = datetime.combine(
        first_day.date() + timedelta(days=1), datetime.min.time(), first_day.tzinfo
    )
    started = time.monotonic()
    repaired = repair_roster(
        plan.assignments,
        dict.fromkeys(dropped, cutoff),
        posts,
        officers,
        joint=rules.joint_team,
        coordinates=coordinates,
        workers=args.workers,
    )
    repair_seconds = time.monotonic() - started
    recheck = check_roster(
        repaired.roster, posts, officers, rules=RosterRules(), joint=rules.joint_team
    )
    print(
        f"repair: {len(dropped):,} drop-outs ({args.dropout:.0%} of {len(working):,} officers "
        f"with shifts) from {cutoff.isoformat()}: {repair_seconds:.1f} s, "
        f"{len(repaired.removed):,} assignments removed, {len(repaired.added):,} replacements, "
        f"{repaired.changed_others} other assignments changed, {len(repaired.shortfalls)} "
        f"short posts, cover {recheck.required - recheck.missing:,}/{recheck.required:,}, "
        f"hard violations {len(recheck.violations)}"
    )
    ok = check.valid and recheck.valid
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
