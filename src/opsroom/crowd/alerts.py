"""Alerts with lead time, in the words an operations room reads.

A station raises an alert when its forecast wait passes the planning target (warning) or the alert
wait (critical, 30 min), or when its queue leaves less than 0.3 m² per person (Fruin LOS E/F,
critical). The message says when arrivals start to exceed capacity, when the wait passes the
threshold and how much space the queue needs at its peak, e.g.
``Gate 3 perimeter screening: arrivals exceed capacity from 16:40, wait passes 30 min at 17:25,
queue needs 3,800 m²``. The lead time is from ``as_of`` (when the forecast is made) to the moment
the wait passes the threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from opsroom.crowd import figures
from opsroom.crowd.forecast import Forecast, StationPeak


@dataclass(frozen=True, kw_only=True)
class Alert:
    station_id: str
    severity: str
    message: str
    overload_from: datetime | None
    wait_passes_at: datetime | None
    threshold_min: float
    max_wait_min: float
    space_needed_m2: float
    lead_minutes: float | None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("overload_from", "wait_passes_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data


def _hhmm(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else "-"


def _passes_at(forecast: Forecast, peak: StationPeak, threshold_min: float) -> datetime | None:
    row = forecast.run.graph.index(peak.station_id)
    above = np.flatnonzero(forecast.waits_s[row] >= threshold_min * 60.0)
    if not len(above):
        return None
    return forecast.start + timedelta(seconds=float(forecast.run.times_s[above[0]]))


def alerts_for(
    forecast: Forecast,
    *,
    as_of: datetime | None = None,
    target_wait_min: float = figures.DEFAULT_MAX_WAIT_MINUTES,
    alert_wait_min: float = figures.ALERT_WAIT_MINUTES,
) -> tuple[Alert, ...]:
    """Every alert of one forecast, the most urgent (earliest threshold crossing) first."""
    found = []
    for peak in forecast.peaks:
        cramped = (
            peak.min_space_m2_per_person is not None
            and peak.min_space_m2_per_person < figures.FRUIN_QUEUE_LOS[3][1]
        )
        if peak.max_wait_min < target_wait_min and not cramped:
            continue
        critical = peak.max_wait_min >= alert_wait_min or cramped
        threshold = alert_wait_min if peak.max_wait_min >= alert_wait_min else target_wait_min
        passes = _passes_at(forecast, peak, threshold)
        parts = [peak.label]
        clauses = []
        if peak.overload_from is not None:
            clauses.append(f"arrivals exceed capacity from {_hhmm(peak.overload_from)}")
        if passes is not None:
            clauses.append(f"wait passes {threshold:.0f} min at {_hhmm(passes)}")
        clauses.append(f"queue needs {peak.space_needed_m2:,.0f} m²")
        if cramped and peak.min_space_m2_per_person is not None:
            clauses.append(
                f"only {peak.min_space_m2_per_person:.2f} m² per person (LOS {peak.los})"
            )
        message = f"{parts[0]}: " + ", ".join(clauses)
        lead = None
        if passes is not None and as_of is not None:
            lead = (passes - as_of).total_seconds() / 60.0
        found.append(
            Alert(
                station_id=peak.station_id,
                severity="critical" if critical else "warning",
                message=message,
                overload_from=peak.overload_from,
                wait_passes_at=passes,
                threshold_min=threshold,
                max_wait_min=peak.max_wait_min,
                space_needed_m2=peak.space_needed_m2,
                lead_minutes=lead,
            )
        )
    far = datetime.max.replace(tzinfo=forecast.kickoff.tzinfo)
    return tuple(
        sorted(
            found,
            key=lambda a: (a.severity != "critical", a.wait_passes_at or a.overload_from or far),
        )
    )
