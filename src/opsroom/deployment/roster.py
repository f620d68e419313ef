"""The roster: who works which post when, what could not be covered and why, and how good it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Assignment", "PlanResult", "Shortfall"]


@dataclass(frozen=True, kw_only=True, order=True)
class Assignment:
    """One officer on one post for the post's whole window."""

    start: datetime
    officer_id: str
    post_id: str
    agency: str
    venue_id: str
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"assignment of {self.officer_id} to {self.post_id} ends before start")


@dataclass(frozen=True, kw_only=True)
class Shortfall:
    """A post left short: how many officers are missing, and why none could be found."""

    post_id: str
    venue_id: str
    start: datetime
    end: datetime
    required: int
    assigned: int
    reason: str

    @property
    def missing(self) -> int:
        return self.required - self.assigned


@dataclass(frozen=True, kw_only=True)
class PlanResult:
    """A roster with its objective, the solver's bound and the objective's terms (points)."""

    assignments: tuple[Assignment, ...]
    shortfalls: tuple[Shortfall, ...]
    objective: float
    bound: float
    terms: dict[str, float] = field(default_factory=dict)
    subproblems: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.bound > self.objective + 1e-6:
            raise ValueError("a lower bound cannot exceed the objective")

    @property
    def gap(self) -> float:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective <= 0:
            return 0.0
        return (self.objective - self.bound) / self.objective

    @property
    def complete(self) -> bool:
        return not self.shortfalls
