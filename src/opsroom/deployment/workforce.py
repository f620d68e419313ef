"""The workforce: host and partner officers with their skills, languages, clearance and leave.

Skills name what a post needs (see ``defaults.yaml``): screening, turnstile, stewarding, response,
control_room, close_protection. Accreditation zones (perimeter, bowl, control, vip, team) say where
an officer may work. Languages are ISO 639-1 codes. Clearance levels run from 1 (basic) to 4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = ["KNOWN_SKILLS", "KNOWN_ZONES", "Officer", "Rank"]

KNOWN_SKILLS = frozenset(
    {"screening", "turnstile", "stewarding", "response", "control_room", "close_protection"}
)
KNOWN_ZONES = frozenset({"perimeter", "bowl", "control", "vip", "team"})


class Rank(StrEnum):
    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    COMMANDER = "commander"


@dataclass(frozen=True, kw_only=True)
class Officer:
    """One officer. ``available_from``/``available_until`` bound their deployment (inclusive);
    ``leave`` holds inclusive (first, last) date ranges that never overlap."""

    id: str
    agency: str
    partner: bool
    rank: Rank
    skills: frozenset[str]
    languages: frozenset[str]
    clearance: int
    zones: frozenset[str]
    home_base: str
    available_from: date
    available_until: date
    leave: tuple[tuple[date, date], ...] = ()
    wishes_off: frozenset[date] = frozenset()  # days the officer asked not to work (soft)
    preferred_venues: frozenset[str] = frozenset()  # venues the officer asked for (soft)

    def __post_init__(self) -> None:
        if self.available_until < self.available_from:
            raise ValueError(f"officer {self.id}: available_until before available_from")
        ordered = sorted(self.leave)
        for first, last in ordered:
            if last < first:
                raise ValueError(f"officer {self.id}: leave {first}..{last} ends before it starts")
        for (_, last), (first, _) in itertools.pairwise(ordered):
            if first <= last:
                raise ValueError(f"officer {self.id}: leave periods overlap")

    def works_on(self, day: date) -> bool:
        """Available that day and not on leave."""
        if not self.available_from <= day <= self.available_until:
            return False
        return not any(first <= day <= last for first, last in self.leave)
