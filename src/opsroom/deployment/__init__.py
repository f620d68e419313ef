"""Deployment: staffing demand from matches, officer rosters on OR-Tools CP-SAT, an independent
roster checker, repair after drop-outs, and the Curtois shift-scheduling benchmark
(``opsroom.deployment.curtois``). See ``docs/deployment.md``."""

from opsroom.deployment.demand import DemandRules, Post, PostKind, build_demand, load_rules
from opsroom.deployment.planner import plan_roster
from opsroom.deployment.repair import RepairResult, repair_roster
from opsroom.deployment.roster import Assignment, PlanResult, Shortfall
from opsroom.deployment.rules import RosterRules, SoftWeights
from opsroom.deployment.validate import RosterCheck, Violation, check_roster
from opsroom.deployment.workforce import Officer, Rank
from opsroom.deployment.workforce_io import generate_workforce, read_workforce, write_workforce

__all__ = [
    "Assignment",
    "DemandRules",
    "Officer",
    "PlanResult",
    "Post",
    "PostKind",
    "Rank",
    "RepairResult",
    "RosterCheck",
    "RosterRules",
    "Shortfall",
    "SoftWeights",
    "Violation",
    "build_demand",
    "check_roster",
    "generate_workforce",
    "load_rules",
    "plan_roster",
    "read_workforce",
    "repair_roster",
    "write_workforce",
]
