"""Which scans a caller may post, and which scan times are plausible.

**Venue binding.** A gate account posts scans only for the venues it is bound to (``opsroom users
add --venue``); a batch naming any other venue is refused whole. A gate account bound to no venue
may post for none. Other roles that may post scans (commander, operator) are not bound.

**Scan time.** A replayed or delayed feed is normal (the demo replays 26 Nov 2022 against a server
whose clock is years later), so a scan's age is not measured against the wall clock. Instead, each
scan must

- fall within the scenario's tournament: from the first kick-off minus ``period_margin`` to the
  last kick-off plus ``period_margin`` (the scenario's start and end dates when it has no match);
- be no more than ``max_age`` older than its venue's *data clock*, the newest scan the venue has
  received so far, this batch's plausible scans included.

A scan that fails either is rejected on its own with the reason, like a scan from the future, and
neither the counters nor the venue's clock see it: 3,000 "out" scans dated 1970 change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opsroom.errors import PermissionDeniedError
from opsroom.ops.identity import Principal
from opsroom.ops.roles import Role
from opsroom.scenario import Scenario
from opsroom.store.ops_models import GateCounterRow

if TYPE_CHECKING:
    from opsroom.config import Settings
    from opsroom.ops.scans import Scan


def check_venues(principal: Principal, scans: Sequence[Scan]) -> None:
    """Refuse the whole batch when a gate account names a venue it is not bound to."""
    if principal.role is not Role.GATE:
        return
    for index, scan in enumerate(scans):
        if scan.venue_id not in principal.venues:
            bound = ", ".join(f"'{v}'" for v in sorted(principal.venues)) or "no venue"
            raise PermissionDeniedError(
                f"scans[{index}].venue_id: gate account '{principal.username}' may post scans "
                f"for {bound}, not for '{scan.venue_id}'; nothing was stored"
            )


@dataclass(frozen=True, kw_only=True)
class ScanWindow:
    """How far back a scan may be dated (see the module's description)."""

    max_age: timedelta = timedelta(hours=12)
    period_margin: timedelta = timedelta(hours=24)

    @classmethod
    def from_settings(cls, settings: Settings) -> ScanWindow:
        return cls(
            max_age=timedelta(hours=settings.scan_max_age_hours),
            period_margin=timedelta(hours=settings.scan_period_margin_hours),
        )

    def period(self, scenario: Scenario) -> tuple[datetime, datetime]:
        """The times a scan of this scenario may carry: its tournament, with the margin."""
        kickoffs = [m.kickoff for m in scenario.matches]
        if kickoffs:
            first, last = min(kickoffs), max(kickoffs)
        else:
            zone = ZoneInfo(scenario.info.timezone)
            first = datetime.combine(scenario.info.start_date, time(), zone)
            last = datetime.combine(scenario.info.end_date + timedelta(days=1), time(), zone)
        return first - self.period_margin, last + self.period_margin

    def rejections(
        self,
        session: Session,
        scenario: Scenario,
        scans: Sequence[Scan],
        *,
        latest_allowed: datetime,
    ) -> dict[int, str]:
        """Reasons by batch index for the scans dated too far back.

        ``latest_allowed`` is the newest time a scan may carry (the future check's bound); later
        scans do not move the venue's clock here, as they are rejected anyway.
        """
        start, end = self.period(scenario)
        reasons: dict[int, str] = {}
        clocks = venue_clocks(session, scenario.info.id, {s.venue_id for s in scans})
        for index, scan in enumerate(scans):
            if not start <= scan.scanned_at <= end:
                reasons[index] = (
                    f"scanned_at is outside the tournament ({start.astimezone(UTC):%Y-%m-%d} to "
                    f"{end.astimezone(UTC):%Y-%m-%d} UTC)"
                )
            elif scan.scanned_at <= latest_allowed:
                newest = clocks.get(scan.venue_id)
                if newest is None or scan.scanned_at > newest:
                    clocks[scan.venue_id] = scan.scanned_at
        for index, scan in enumerate(scans):
            newest = clocks.get(scan.venue_id)
            if (
                index not in reasons
                and newest is not None
                and newest - scan.scanned_at > self.max_age
            ):
                hours = self.max_age.total_seconds() / 3600
                reasons[index] = (
                    f"scanned_at is older than {hours:g} h before the venue's newest scan "
                    f"({newest.astimezone(UTC).isoformat()})"
                )
        return reasons


DEFAULT_WINDOW = ScanWindow()
"""The window of the settings' defaults: 12 h behind the venue's clock, 24 h around the matches."""


def venue_clocks(session: Session, scenario_id: str, venue_ids: set[str]) -> dict[str, datetime]:
    """Each venue's data clock: the newest scan time at any of its gates, if it has one."""
    rows = session.execute(
        select(GateCounterRow.venue_id, func.max(GateCounterRow.last_scan_at))
        .where(GateCounterRow.scenario_id == scenario_id, GateCounterRow.venue_id.in_(venue_ids))
        .group_by(GateCounterRow.venue_id)
    )
    return {venue: at for venue, at in rows if at is not None}
