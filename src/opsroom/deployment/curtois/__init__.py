"""The Curtois & Qu shift-scheduling benchmark: reader, independent checker, CP-SAT model with
large-neighbourhood search, and SOLUTION.csv input/output."""

from opsroom.deployment.curtois.check import Assignment, CheckReport, check_solution
from opsroom.deployment.curtois.instance import Instance, parse_instance, read_instance
from opsroom.deployment.curtois.solution_io import read_solution, write_solution
from opsroom.deployment.curtois.solve import SolveResult, solve_instance

__all__ = [
    "Assignment",
    "CheckReport",
    "Instance",
    "SolveResult",
    "check_solution",
    "parse_instance",
    "read_instance",
    "read_solution",
    "solve_instance",
    "write_solution",
]
