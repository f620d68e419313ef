"""Published figures the crowd engine uses as defaults, each with its source.

Every number here is quoted from ``docs/crowd.md`` (section "Sources"), which itself cites the
project's fact sheet. A venue file may override any of them; a figure that is not published but
reasoned is named ``DEFAULT_...`` and says how it was reasoned.
"""

from __future__ import annotations

from typing import Final

# --- UK Guide to Safety at Sports Grounds ("Green Guide") ---------------------------------------
TURNSTILE_PER_HOUR: Final = 660.0
"""Persons per hour through one turnstile (Green Guide, widely cited)."""

EXIT_FLOW_LEVEL_PER_M_MIN: Final = 82.0
"""Egress flow on the level or on a ramp, persons per metre of width per minute (Green Guide 6th
ed., as cited by UK event guidance); 72 where alcohol is served."""

EXIT_FLOW_STAIRS_PER_M_MIN: Final = 66.0
"""Egress flow on stairs, persons per metre per minute (same source); 56 where alcohol is served."""

EGRESS_LIMIT_MINUTES: Final = 8.0
"""Normal egress time from the viewing area (Green Guide)."""

ENTRY_LIMIT_MINUTES: Final = 60.0
"""Entry capacity: every spectator of a section through its entry points within one hour."""

# --- Screening ------------------------------------------------------------------------------------
SCREENING_LANE_PER_HOUR: Final = 550.0
SCREENING_LANE_PER_HOUR_LOW: Final = 400.0
SCREENING_LANE_PER_HOUR_HIGH: Final = 700.0
"""Walk-through metal detector lane: 5-7 s per patron, about 400-700 per hour (CCICADA study of an
NFL stadium); 550/h is the middle of that range."""

# --- Walking --------------------------------------------------------------------------------------
FREE_WALKING_SPEED_M_S: Final = 1.34
"""Free walking speed on the level (Weidmann 1993)."""

STAIRS_SPEED_FACTOR: Final = 0.5
"""DEFAULT: speed on stairs taken as half the level speed (reasoned: descending stairs at about
0.6-0.7 m/s in published evacuation data; a round factor marked as a default)."""

# --- Space and level of service -------------------------------------------------------------------
PLANNING_SPACE_M2_PER_PERSON: Final = 0.6
"""Queue space needed per person: the lower edge of Fruin's queuing level of service C (Fruin
1971: D below 0.6 m², E and F below 0.3 m²). A queue that has less is at LOS D or worse."""

FRUIN_QUEUE_LOS: Final = (("A", 1.2), ("B", 0.9), ("C", 0.6), ("D", 0.3), ("E", 0.2), ("F", 0.0))
"""Fruin (1971) queuing level of service: letter and the least space per person (m²) it needs."""

DANGER_DENSITY_PER_M2: Final = 5.0
"""About 5 persons/m² is cramped and the onset of danger; 8-9 is dangerous (Itaewon analyses)."""

# --- Reasoned defaults ----------------------------------------------------------------------------
DEFAULT_STAFF_PER_SCREENING_LANE: Final = 3.0
"""DEFAULT: one divestment helper, one detector operator, one searcher per lane (reasoned)."""

DEFAULT_STAFF_PER_TURNSTILE: Final = 0.5
"""DEFAULT: one steward for every two turnstiles (reasoned)."""

DEFAULT_MAX_WAIT_MINUTES: Final = 15.0
"""Planning target for the longest wait at any checkpoint (the planner's default)."""

ALERT_WAIT_MINUTES: Final = 30.0
"""Wait that raises an alert in the operations room (reasoned: twice the planning target)."""


def fruin_queue_los(space_m2_per_person: float) -> str:
    """Fruin's queuing level of service for a space per person (m²); ``A`` for an empty queue."""
    for letter, least in FRUIN_QUEUE_LOS:
        if space_m2_per_person >= least:
            return letter
    return "F"
