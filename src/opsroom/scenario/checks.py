"""Checks of a valid scenario that are worth a warning but not a refusal.

A scenario can be valid and still unlikely: two matches at one stadium a few hours apart are
possible (a double-header) but are more often a typing error in the venue or the date, and either
way the operations room must know.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise

from opsroom.scenario.model import Match
from opsroom.scenario.scenario import Scenario

VENUE_MIN_GAP = timedelta(hours=8)
"""Kick-offs at one venue closer than this are warned of. A match holds its venue from the gates
opening (3 h before kick-off in the deployment defaults) until the surroundings are clear (about
3.5 h after it), so two kick-offs less than 8 h apart would have one crowd arriving while the other
is still inside or leaving."""


@dataclass(frozen=True, kw_only=True)
class VenueClash:
    """Two consecutive matches at one venue whose kick-offs are less than the minimum gap apart."""

    venue_id: str
    first: Match
    second: Match
    gap: timedelta
    min_gap: timedelta

    @property
    def message(self) -> str:
        """One line naming the venue, both matches with their kick-offs, and the gap."""
        return (
            f"venue '{self.venue_id}' holds {self.first.id} ({self.first.kickoff:%Y-%m-%d %H:%M}) "
            f"and {self.second.id} ({self.second.kickoff:%Y-%m-%d %H:%M}) "
            f"{_duration(self.gap)} apart (less than {_duration(self.min_gap)})"
        )


def venue_clashes(scenario: Scenario, *, min_gap: timedelta = VENUE_MIN_GAP) -> list[VenueClash]:
    """Consecutive matches at one venue with kick-offs less than ``min_gap`` apart, by kick-off."""
    by_venue: dict[str, list[Match]] = defaultdict(list)
    for match in scenario.matches:
        by_venue[match.venue_id].append(match)
    clashes = []
    for venue_id, matches in by_venue.items():
        ordered = sorted(matches, key=lambda m: (m.kickoff, m.id))
        for first, second in pairwise(ordered):
            gap = second.kickoff - first.kickoff
            if gap < min_gap:
                clashes.append(
                    VenueClash(
                        venue_id=venue_id, first=first, second=second, gap=gap, min_gap=min_gap
                    )
                )
    return sorted(clashes, key=lambda c: (c.first.kickoff, c.venue_id))


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{hours} h"
    return f"{hours} h {rest} min" if hours else f"{rest} min"
