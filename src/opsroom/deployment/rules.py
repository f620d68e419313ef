"""The hard limits of a roster and the weights of its soft terms, with their sources.

Hard limits (defaults):

- ``max_shift_hours = 10``: default; the longest match-day window (a knock-out match, briefing to
  egress clear) is 9.5 h with the default demand rules.
- ``max_day_hours = 12``: default cap on hours started on one calendar day.
- ``max_week_hours = 60`` in any 7 consecutive days: default. The EU Working Time Directive
  (2003/88/EC, art. 6) caps the *average* week at 48 h; tournament deployments plan above that
  for a few weeks, so 60 h is a ceiling, not a target.
- ``min_rest_hours = 11`` between two shifts: EU Working Time Directive 2003/88/EC, art. 3 (11
  consecutive hours of daily rest).
- ``max_consecutive_days = 6``: the same directive, art. 5 (24 h of uninterrupted rest in each
  7-day period).

Soft weights (the planner minimises their weighted sum; units are points):

- ``cover_gap = 1000`` per missing officer on a post: cover comes first.
- ``fairness_per_hour = 1`` per hour the officer has already worked: spreads hours evenly.
- ``night_fairness_per_hour = 2`` per night hour (22:00-06:00) already worked, when the post
  itself has night hours: spreads night work.
- ``continuity = 20`` when the officer's previous post was at another venue.
- ``travel_per_km = 0.5`` per km from the officer's home base to the venue.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RosterRules", "SoftWeights"]


@dataclass(frozen=True, kw_only=True)
class RosterRules:
    max_shift_hours: float = 10.0
    max_day_hours: float = 12.0
    max_week_hours: float = 60.0
    min_rest_hours: float = 11.0
    max_consecutive_days: int = 6

    def __post_init__(self) -> None:
        if min(self.max_shift_hours, self.max_day_hours, self.max_week_hours) <= 0:
            raise ValueError("hour limits must be positive")
        if self.min_rest_hours < 0 or self.max_consecutive_days < 1:
            raise ValueError("rest must be >= 0 h and consecutive days >= 1")


@dataclass(frozen=True, kw_only=True)
class SoftWeights:
    cover_gap: int = 1000
    fairness_per_hour: float = 1.0
    night_fairness_per_hour: float = 2.0
    continuity: int = 20
    travel_per_km: float = 0.5
    wish_off: int = 100  # a post on a day the officer asked to have off
    venue_preference: int = 10  # a post away from the venues the officer asked for
