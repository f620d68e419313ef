"""Gate scans: durable, exactly-once ingestion, and the occupancy and inflow kept from them.

A batch is written in one transaction: the scans (a repeated ``scan_id`` is stored once and counted
as a duplicate), the running totals per gate and the per-minute flow per gate. Either all of that
is committed before the caller answers, or none of it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opsroom.errors import InvalidInputError, Problem
from opsroom.ops.identity import Clock, utc_now
from opsroom.ops.scan_rules import DEFAULT_WINDOW, ScanWindow
from opsroom.scenario import Scenario
from opsroom.store.ops_models import GateCounterRow, GateFlowMinuteRow, GateScanRow

MAX_BATCH = 5_000
"""Largest batch accepted in one request (a gate bank sends far fewer; larger ones get a 413)."""

FUTURE_TOLERANCE = timedelta(minutes=5)
"""A scan stamped further ahead of the server's clock than this is refused (a misset gate clock)."""


@dataclass(frozen=True, kw_only=True)
class Scan:
    scan_id: str
    venue_id: str
    gate_id: str
    credential_id: str
    direction: Literal["in", "out"]
    scanned_at: datetime


@dataclass(frozen=True, kw_only=True)
class Rejection:
    index: int
    reason: str


@dataclass(frozen=True, kw_only=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: tuple[Rejection, ...]
    venues: frozenset[str]
    """Venues that received at least one new scan."""


def check_references(scenario: Scenario, scans: Sequence[Scan]) -> None:
    """Refuse the whole batch when any scan names a venue or gate the scenario does not have."""
    gates = {gate.id: gate.venue_id for gate in scenario.gates}
    venues = {venue.id for venue in scenario.venues}
    problems = []
    for index, scan in enumerate(scans):
        if scan.venue_id not in venues:
            problems.append(
                Problem(f"unknown venue '{scan.venue_id}'", field=f"scans[{index}].venue_id")
            )
        elif gates.get(scan.gate_id) != scan.venue_id:
            problems.append(
                Problem(
                    f"venue '{scan.venue_id}' has no gate '{scan.gate_id}'",
                    field=f"scans[{index}].gate_id",
                )
            )
    if problems:
        raise InvalidInputError("batch refused: nothing was stored", problems)


def _insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


_UNNEST_INSERT = text(
    """
    INSERT INTO gate_scans
        (scan_id, scenario_id, venue_id, gate_id, credential_id, direction, scanned_at,
         received_at)
    SELECT * FROM unnest(
        CAST(:scan_id AS text[]), CAST(:scenario_id AS text[]), CAST(:venue_id AS text[]),
        CAST(:gate_id AS text[]), CAST(:credential_id AS text[]), CAST(:direction AS text[]),
        CAST(:scanned_at AS timestamptz[]), CAST(:received_at AS timestamptz[]))
    ON CONFLICT (scan_id) DO NOTHING
    RETURNING scan_id
    """
)


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> set[str]:
    """Insert the rows whose scan_id is new; return those ids.

    On PostgreSQL the batch travels as one array per column (one short statement, whatever the
    batch size); elsewhere as a multi-row INSERT.
    """
    if session.get_bind().dialect.name == "postgresql":
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        return set(session.execute(_UNNEST_INSERT, columns).scalars())
    statement = (
        _insert(session, GateScanRow)
        .on_conflict_do_nothing(index_elements=["scan_id"])
        .returning(GateScanRow.scan_id)
    )
    return {row[0] for row in session.execute(statement, rows)}


def ingest_scans(
    session: Session,
    scenario: Scenario,
    scans: Sequence[Scan],
    *,
    window: ScanWindow = DEFAULT_WINDOW,
    clock: Clock = utc_now,
) -> IngestResult:
    """Store a batch of scans exactly once each, in the caller's transaction.

    Scans from the future or dated too far back (``window``) are rejected one by one.
    """
    check_references(scenario, scans)
    now = clock()
    rejected: list[Rejection] = []
    fresh: dict[str, Scan] = {}
    in_batch_duplicates = 0
    too_old = window.rejections(session, scenario, scans, latest_allowed=now + FUTURE_TOLERANCE)
    for index, scan in enumerate(scans):
        if scan.scanned_at - now > FUTURE_TOLERANCE:
            rejected.append(Rejection(index=index, reason="scanned_at is in the future"))
        elif index in too_old:
            rejected.append(Rejection(index=index, reason=too_old[index]))
        elif scan.scan_id in fresh:
            in_batch_duplicates += 1
        else:
            fresh[scan.scan_id] = scan
    if not fresh:
        return IngestResult(
            accepted=0,
            duplicates=in_batch_duplicates,
            rejected=tuple(rejected),
            venues=frozenset(),
        )
    # Rows go in key order (scans by id here, counters and flow minutes by their keys in
    # _count): two batches that overlap then take their row locks in the same order and cannot
    # deadlock, whatever order their senders listed the scans in.
    rows = [
        {
            "scan_id": s.scan_id,
            "scenario_id": scenario.info.id,
            "venue_id": s.venue_id,
            "gate_id": s.gate_id,
            "credential_id": s.credential_id,
            "direction": s.direction,
            "scanned_at": s.scanned_at,
            "received_at": now,
        }
        for s in sorted(fresh.values(), key=lambda scan: scan.scan_id)
    ]
    inserted = _insert_new(session, rows)
    stored = [fresh[scan_id] for scan_id in fresh if scan_id in inserted]
    _count(session, scenario.info.id, stored)
    return IngestResult(
        accepted=len(stored),
        duplicates=in_batch_duplicates + len(fresh) - len(stored),
        rejected=tuple(rejected),
        venues=frozenset(s.venue_id for s in stored),
    )


def _count(session: Session, scenario_id: str, stored: Sequence[Scan]) -> None:
    if not stored:
        return
    totals: Counter[tuple[str, str, str]] = Counter()
    minutes: Counter[tuple[str, str, datetime, str]] = Counter()
    last: dict[tuple[str, str], datetime] = {}
    for scan in stored:
        totals[(scan.venue_id, scan.gate_id, scan.direction)] += 1
        minute = scan.scanned_at.astimezone(UTC).replace(second=0, microsecond=0)
        minutes[(scan.venue_id, scan.gate_id, minute, scan.direction)] += 1
        key = (scan.venue_id, scan.gate_id)
        last[key] = max(last.get(key, scan.scanned_at), scan.scanned_at)
    counter_rows = [
        {
            "scenario_id": scenario_id,
            "venue_id": venue,
            "gate_id": gate,
            "entries": totals[(venue, gate, "in")],
            "exits": totals[(venue, gate, "out")],
            "last_scan_at": at,
        }
        for (venue, gate), at in sorted(last.items())
    ]
    counters = _insert(session, GateCounterRow)
    session.execute(
        counters.on_conflict_do_update(
            index_elements=["scenario_id", "venue_id", "gate_id"],
            set_={
                "entries": GateCounterRow.entries + counters.excluded.entries,
                "exits": GateCounterRow.exits + counters.excluded.exits,
                "last_scan_at": func.max(
                    GateCounterRow.last_scan_at, counters.excluded.last_scan_at
                )
                if session.get_bind().dialect.name == "sqlite"
                else func.greatest(GateCounterRow.last_scan_at, counters.excluded.last_scan_at),
            },
        ),
        counter_rows,
    )
    keys = sorted({(v, g, m) for v, g, m, _ in minutes})
    minute_rows = [
        {
            "scenario_id": scenario_id,
            "venue_id": venue,
            "gate_id": gate,
            "minute": minute,
            "entries": minutes[(venue, gate, minute, "in")],
            "exits": minutes[(venue, gate, minute, "out")],
        }
        for venue, gate, minute in keys
    ]
    flows = _insert(session, GateFlowMinuteRow)
    session.execute(
        flows.on_conflict_do_update(
            index_elements=["scenario_id", "venue_id", "gate_id", "minute"],
            set_={
                "entries": GateFlowMinuteRow.entries + flows.excluded.entries,
                "exits": GateFlowMinuteRow.exits + flows.excluded.exits,
            },
        ),
        minute_rows,
    )


@dataclass(frozen=True, kw_only=True)
class GateCount:
    gate_id: str
    entries: int
    exits: int
    last_scan_at: datetime | None

    @property
    def occupancy(self) -> int:
        return self.entries - self.exits


def gate_counts(session: Session, scenario_id: str, venue_id: str) -> list[GateCount]:
    rows = session.scalars(
        select(GateCounterRow).where(
            GateCounterRow.scenario_id == scenario_id, GateCounterRow.venue_id == venue_id
        )
    )
    return [
        GateCount(gate_id=r.gate_id, entries=r.entries, exits=r.exits, last_scan_at=r.last_scan_at)
        for r in rows
    ]


def flow_minutes(
    session: Session, scenario_id: str, venue_id: str, *, since: datetime, until: datetime
) -> list[GateFlowMinuteRow]:
    """Per-gate, per-minute counts with ``since <= minute <= until``, oldest first."""
    return list(
        session.scalars(
            select(GateFlowMinuteRow)
            .where(
                GateFlowMinuteRow.scenario_id == scenario_id,
                GateFlowMinuteRow.venue_id == venue_id,
                GateFlowMinuteRow.minute >= since,
                GateFlowMinuteRow.minute <= until,
            )
            .order_by(GateFlowMinuteRow.minute)
        )
    )


def latest_scan_at(session: Session, scenario_id: str) -> datetime | None:
    """The newest scan time at any gate of the scenario (the feed's data clock)."""
    return session.scalar(
        select(func.max(GateCounterRow.last_scan_at)).where(
            GateCounterRow.scenario_id == scenario_id
        )
    )
