"""One officer's shifts, and whether one more shift keeps every hard time rule.

Used by the planner and the repair to pre-filter candidates; the roster checker
(:mod:`opsroom.deployment.validate`) re-checks every rule on its own.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from opsroom.deployment.rules import RosterRules

__all__ = ["Timeline", "night_hours"]

Shift = tuple[datetime, datetime]


def night_hours(start: datetime, end: datetime) -> float:
    """Hours of ``start``..``end`` between 22:00 and 06:00 local time."""
    total = 0.0
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    while day < end:
        night_start, night_end = day + timedelta(hours=22), day + timedelta(hours=30)
        overlap = (min(end, night_end) - max(start, night_start)).total_seconds()
        total += max(0.0, overlap) / 3600
        day += timedelta(days=1)
    return total


@dataclass
class Timeline:
    """The shifts of one officer, kept sorted by start."""

    shifts: list[Shift] = field(default_factory=list)

    def add(self, start: datetime, end: datetime) -> None:
        bisect.insort(self.shifts, (start, end))

    def remove(self, start: datetime, end: datetime) -> None:
        self.shifts.remove((start, end))

    @property
    def hours(self) -> float:
        return sum((e - s).total_seconds() for s, e in self.shifts) / 3600

    @property
    def night(self) -> float:
        return sum(night_hours(s, e) for s, e in self.shifts)

    def fits(self, start: datetime, end: datetime, rules: RosterRules) -> bool:
        """Whether adding ``start``..``end`` keeps shift length, overlap, rest, daily and weekly
        hours and consecutive days within ``rules``."""
        hours = (end - start).total_seconds() / 3600
        if hours > rules.max_shift_hours or hours > rules.max_day_hours:
            return False
        rest = timedelta(hours=rules.min_rest_hours)
        i = bisect.bisect_left(self.shifts, (start, end))
        if i > 0 and self.shifts[i - 1][1] + rest > start:
            return False
        if i < len(self.shifts) and end + rest > self.shifts[i][0]:
            return False
        day = start.date()
        by_day: dict[date, float] = {}
        for s, e in self.shifts:
            if abs((s.date() - day).days) <= 7 + rules.max_consecutive_days:
                by_day[s.date()] = by_day.get(s.date(), 0.0) + (e - s).total_seconds() / 3600
        if by_day.get(day, 0.0) + hours > rules.max_day_hours:
            return False
        by_day[day] = by_day.get(day, 0.0) + hours
        for first in range(-6, 1):
            window_start = day + timedelta(days=first)
            week = sum(by_day.get(window_start + timedelta(days=k), 0.0) for k in range(7))
            if week > rules.max_week_hours + 1e-9:
                return False
        run = 1
        d = day - timedelta(days=1)
        while d in by_day:
            run += 1
            d -= timedelta(days=1)
        d = day + timedelta(days=1)
        while d in by_day:
            run += 1
            d += timedelta(days=1)
        return run <= rules.max_consecutive_days
