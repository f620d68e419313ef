"""Scan times: inside the tournament and within the window behind the venue's own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from opsroom.ops.scan_rules import ScanWindow
from opsroom.ops.scans import Scan, ingest_scans
from opsroom.scenario import Scenario, load_scenario
from opsroom.store import Database

FEED = datetime(2022, 11, 26, 8, 0, tzinfo=UTC)  # Al Janoub, two hours before M21
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # the server's clock, long after the tournament


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


def scan(index: int, at: datetime) -> Scan:
    return Scan(
        scan_id=f"s-{index}",
        venue_id="al-janoub",
        gate_id="al-janoub-g1",
        credential_id=f"c-{index}",
        direction="in",
        scanned_at=at,
    )


def test_the_period_runs_from_the_first_to_the_last_kickoff_with_the_margin(
    qatar: Scenario,
) -> None:
    start, end = ScanWindow(period_margin=timedelta(hours=6)).period(qatar)
    assert start == datetime(2022, 11, 20, 10, 0, tzinfo=UTC)  # M01 kicks off 16:00 UTC
    assert end == datetime(2022, 12, 18, 21, 0, tzinfo=UTC)  # the final, 15:00 UTC


def test_a_scan_far_behind_the_newest_of_its_own_batch_is_rejected(
    qatar: Scenario, database: Database
) -> None:
    batch = [scan(0, FEED), scan(1, FEED - timedelta(hours=13)), scan(2, FEED - timedelta(hours=1))]
    with database.transaction() as session:
        result = ingest_scans(session, qatar, batch, clock=lambda: NOW)
    assert result.accepted == 2
    [rejection] = result.rejected
    assert rejection.index == 1 and "older than 12 h" in rejection.reason


def test_the_window_follows_the_venues_clock_not_the_wall_clock(
    qatar: Scenario, database: Database
) -> None:
    window = ScanWindow(max_age=timedelta(hours=2))
    with database.transaction() as session:
        first = ingest_scans(session, qatar, [scan(0, FEED)], window=window, clock=lambda: NOW)
    assert first.accepted == 1  # four years behind the wall clock, yet the venue's newest scan
    late = [scan(1, FEED - timedelta(hours=1)), scan(2, FEED - timedelta(hours=3))]
    with database.transaction() as session:
        second = ingest_scans(session, qatar, late, window=window, clock=lambda: NOW)
    assert second.accepted == 1 and [r.index for r in second.rejected] == [1]


def test_scans_from_the_future_do_not_move_the_venues_clock(
    qatar: Scenario, database: Database
) -> None:
    clock = FEED + timedelta(minutes=1)
    batch = [scan(0, FEED + timedelta(hours=20)), scan(1, FEED)]
    with database.transaction() as session:
        result = ingest_scans(session, qatar, batch, clock=lambda: clock)
    assert result.accepted == 1
    assert [(r.index, r.reason) for r in result.rejected] == [(0, "scanned_at is in the future")]
