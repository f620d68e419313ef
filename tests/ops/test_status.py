"""Venue status from scans: a gate that lets fans through too slowly raises an alert with the
planner's mitigation, and the data clock follows the feed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from opsroom.ops.scans import Scan, ingest_scans
from opsroom.ops.status import VenueMonitor
from opsroom.scenario import Scenario, load_scenario
from opsroom.store import Database, create_database, upgrade


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


@pytest.fixture
def sqlite(tmp_path: Path) -> Database:
    database = create_database(f"sqlite:///{tmp_path / 'status.db'}")
    upgrade(database)
    return database


def feed(qatar: Scenario, database: Database, *, slow_gate_per_min: int, minutes: int) -> None:
    """Scans at Al Janoub before M21: 60 a minute at every gate but the first."""
    match = qatar.match("M21")
    gates = qatar.gates_of(match.venue_id)
    scans = []
    for minute in range(minutes):
        at = match.kickoff - timedelta(minutes=180 - minute)
        for index, gate in enumerate(gates):
            rate = slow_gate_per_min if index == 0 else 60
            scans.extend(
                Scan(
                    scan_id=f"{gate.id}-{minute}-{k}",
                    venue_id=match.venue_id,
                    gate_id=gate.id,
                    credential_id=f"{gate.id}-{minute}-{k}",
                    direction="in",
                    scanned_at=at + timedelta(seconds=k * 60 / rate),
                )
                for k in range(rate)
            )
    with database.transaction() as session:
        ingest_scans(session, qatar, scans)


def test_a_slow_gate_alerts_with_a_mitigation(qatar: Scenario, sqlite: Database) -> None:
    feed(qatar, sqlite, slow_gate_per_min=8, minutes=90)
    with sqlite.transaction() as session:
        status = VenueMonitor(qatar).status(session, "al-janoub").to_dict()
    assert status["match_id"] == "M21"
    assert status["last_scan_at"] == "2022-11-26T08:29:59+00:00"
    alerts = status["nowcast"]["alerts"]
    slow = [a for a in alerts if a["station_id"].startswith("al-janoub/al-janoub-g1")]
    assert slow and status["alert_level"] in {"warning", "critical"}
    mitigation = slow[0]["mitigation"]
    assert mitigation["servers_needed"] > mitigation["servers_now"]
    assert not [a for a in alerts if a["station_id"].startswith("al-janoub/al-janoub-g2")]


def test_a_venue_without_scans_follows_the_feed_clock(qatar: Scenario, sqlite: Database) -> None:
    feed(qatar, sqlite, slow_gate_per_min=60, minutes=3)
    with sqlite.transaction() as session:
        quiet = VenueMonitor(qatar).status(session, "lusail")
    assert quiet.last_scan_at is None and quiet.occupancy == 0
    assert quiet.as_of.isoformat() == "2022-11-26T10:02:59+03:00"
    assert quiet.match_id is None and quiet.nowcast is None and quiet.alert_level == "none"
