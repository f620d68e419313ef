"""The match-day replay: a scenario's day played against a running server, as its clients would.

:func:`build_schedule` says what happens when (pure, in scenario time); :func:`run_replay` sends
it over HTTP on an accelerated clock. See ``docs/dashboard.md``.
"""

from opsroom.replay.schedule import (
    Bottleneck,
    GateStep,
    IncidentPlan,
    Schedule,
    build_schedule,
    busiest_day,
    only_matches,
)
from opsroom.replay.sender import ReplayReport, run_replay, scan_records

__all__ = [
    "Bottleneck",
    "GateStep",
    "IncidentPlan",
    "ReplayReport",
    "Schedule",
    "build_schedule",
    "busiest_day",
    "only_matches",
    "run_replay",
    "scan_records",
]
