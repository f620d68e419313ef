"""When an operations event happened: the client's time, bounded like a gate scan's.

A replayed or delayed feed reports events after the fact (the demo replays 26 Nov 2022 against a
server whose clock is years later), so an incident report, an incident change and a screening run
may carry the time they happened (``reported_at``, ``at``, ``screened_at``). That time is stored
as the event's time; the server's own clock is kept beside it as ``received_at``. A time given
must be plausible by the rule of gate scans (:mod:`opsroom.ops.scan_rules`): within the scenario's
tournament widened by ``period_margin``, and no more than
:data:`~opsroom.ops.scans.FUTURE_TOLERANCE` ahead of the server's clock. An event with no time
happened when the server received it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from opsroom.errors import InvalidInputError, Problem
from opsroom.ops.identity import Clock, utc_now
from opsroom.ops.scan_rules import DEFAULT_WINDOW, ScanWindow
from opsroom.ops.scans import FUTURE_TOLERANCE
from opsroom.scenario import Scenario


@dataclass(frozen=True, kw_only=True)
class EventTime:
    """An event's time and the server's time of receipt."""

    at: datetime
    received_at: datetime


def event_time(
    given: datetime | None,
    *,
    field: str,
    scenario: Scenario,
    window: ScanWindow = DEFAULT_WINDOW,
    clock: Clock = utc_now,
    not_before: datetime | None = None,
) -> EventTime:
    """The time ``given`` for an event (the server's clock when None), checked for plausibility.

    ``not_before`` is the earliest time the event may carry (an incident's change may not
    precede its report). A refusal is an :class:`InvalidInputError` naming ``field``.
    """
    received_at = clock()
    if given is None:
        return EventTime(at=received_at, received_at=received_at)
    if given.tzinfo is None:
        raise InvalidInputError(
            f"invalid {field}", [Problem("must carry a UTC offset", field=field)]
        )
    start, end = window.period(scenario)
    latest = received_at + FUTURE_TOLERANCE
    problem = None
    if not start <= given <= end:
        problem = (
            f"{given.isoformat()} is outside the tournament ({start.astimezone(UTC):%Y-%m-%d} "
            f"to {end.astimezone(UTC):%Y-%m-%d} UTC)"
        )
    elif given > latest:
        minutes = FUTURE_TOLERANCE.total_seconds() / 60
        problem = (
            f"{given.isoformat()} is in the future (more than {minutes:g} min ahead of the "
            f"server's clock, {received_at.astimezone(UTC).isoformat()})"
        )
    elif not_before is not None and given < not_before:
        problem = (
            f"{given.isoformat()} is before the incident was reported "
            f"({not_before.astimezone(UTC).isoformat()})"
        )
    if problem is not None:
        raise InvalidInputError(f"implausible {field}", [Problem(problem, field=field)])
    return EventTime(at=given, received_at=received_at)
