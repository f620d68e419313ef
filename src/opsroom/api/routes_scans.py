"""Gate scans in, exactly once, durably; occupancy and crowd alerts out on the live stream."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Depends

from opsroom.api import publish
from opsroom.api.deps import StateDep, require
from opsroom.api.schemas import RejectionOut, ScanBatchIn, ScanBatchOut
from opsroom.api.state import AppState
from opsroom.ops.identity import Principal
from opsroom.ops.roles import Permission
from opsroom.ops.scan_rules import ScanWindow, check_venues
from opsroom.ops.scans import Scan, ingest_scans

router = APIRouter(prefix="/api/v1", tags=["gate scans"])

NOWCAST_INTERVAL_S = 10.0
"""A venue's nowcast is re-run for the live stream at most this often (it costs tens of ms)."""


@router.post("/gate-scans", response_model=ScanBatchOut)
def post_scans(
    batch: ScanBatchIn,
    state: StateDep,
    user: Annotated[Principal, Depends(require(Permission.POST_SCANS))],
) -> ScanBatchOut:
    """Store a batch of scans. A 2xx answer means every accepted scan is committed to disk.

    A gate account may post only for the venues it is bound to (403, nothing stored).
    """
    scans = [
        Scan(
            scan_id=s.scan_id,
            venue_id=s.venue_id,
            gate_id=s.gate_id,
            credential_id=s.credential_id,
            direction=s.direction,
            scanned_at=s.scanned_at,
        )
        for s in batch.scans
    ]
    check_venues(user, scans)
    window = ScanWindow.from_settings(state.settings)
    with state.database.transaction() as session:
        result = ingest_scans(session, state.scenario, scans, window=window, clock=state.clock)
    state.metrics.scans.labels("accepted").inc(result.accepted)
    state.metrics.scans.labels("duplicate").inc(result.duplicates)
    state.metrics.scans.labels("rejected").inc(len(result.rejected))
    if state.bus.subscriber_count:
        for venue_id in sorted(result.venues):
            _announce(state, venue_id)
    return ScanBatchOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=[RejectionOut(index=r.index, reason=r.reason) for r in result.rejected],
    )


def _announce(state: AppState, venue_id: str) -> None:
    """Tell the stream about the venue's new flow, and its alerts when a nowcast is due."""
    due = time.monotonic() - state.last_nowcast.get(venue_id, 0.0) >= NOWCAST_INTERVAL_S
    with state.database.transaction() as session:
        status = state.monitor.status(session, venue_id, with_nowcast=due)
    if due:
        state.last_nowcast[venue_id] = time.monotonic()
    data = status.to_dict()
    publish.gate_flow(state.bus, data)
    for alert in data["nowcast"]["alerts"] if data["nowcast"] else []:
        publish.crowd_alert(state.bus, {"venue_id": venue_id, **alert})
