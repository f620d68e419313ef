"""Writes from the field stay within the caller's reach and within what is plausible.

An operator creates and changes only its own agency's units, and every change is audited; a gate
account posts scans only for the venues it is bound to; scans older than the window (3,000 "out"
scans dated 1970) are rejected one by one, the venue's clock does not move back and its occupancy
never goes below zero.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from opsroom.store.ops_models import GateScanRow, UnitRow
from tests.api.conftest import add_test_user
from tests.security.conftest import Live

# Al Janoub hosts M21 (kick-off 2022-11-26 13:00 in Doha); the feed stands two hours before it.
VENUE = "al-janoub"
GATE = "al-janoub-g1"
FEED_TIME = "2022-11-26T11:00:00+03:00"


@pytest.fixture(scope="module")
def field_users(live: Live) -> Iterator[None]:
    """An operator of the partner agency, gate accounts bound to venues and one bound to none."""
    with live.database.transaction() as session:
        for username, agency, role, venues in (
            ("ma-operator", "MA-DGSN", "operator", ()),
            ("lusail-gate", "QA-MOI", "gate", ("lusail",)),
            ("janoub-gate", "QA-MOI", "gate", (VENUE,)),
            ("loose-gate", "QA-MOI", "gate", ()),
        ):
            add_test_user(session, username, agency, role, venues=venues)
    yield


def unit(**fields: Any) -> dict[str, Any]:
    unit_id = f"U-{uuid.uuid4().hex[:10]}"
    body = {"id": unit_id, "name": unit_id, "kind": "patrol", "venue_id": "lusail"}
    return body | fields


def scan(prefix: str, index: int, **changes: Any) -> dict[str, Any]:
    return {
        "scan_id": f"{prefix}-{index}",
        "venue_id": VENUE,
        "gate_id": GATE,
        "credential_id": f"TKT-{prefix}-{index}",
        "direction": "in",
        "scanned_at": FEED_TIME,
    } | changes


def stored(live: Live, prefix: str) -> int:
    with live.database.transaction() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(GateScanRow)
                .where(GateScanRow.scan_id.like(f"{prefix}-%"))
            )
            or 0
        )


def test_an_operator_cannot_create_or_move_another_agencys_units(
    live: Live, field_users: None
) -> None:
    forged = unit(agency_id="QA-MOI")
    refused = live.post("/api/v1/units", "ma-operator", json=forged)
    assert refused.status_code == 403, refused.text
    assert "agency_id" in refused.json()["message"]
    with live.database.transaction() as session:
        assert session.get(UnitRow, forged["id"]) is None

    own = live.post("/api/v1/units", "ma-operator", json=unit())
    assert own.status_code == 201 and own.json()["agency_id"] == "MA-DGSN"
    named = live.post("/api/v1/units", "ma-operator", json=unit(agency_id="MA-DGSN"))
    assert named.status_code == 201 and named.json()["agency_id"] == "MA-DGSN"

    host = live.post("/api/v1/units", "qa-operator", json=unit(node_id="lusail-g1")).json()
    for change in ({"status": "off_duty"}, {"node_id": "lusail-g5"}, {"lat": 0.0, "lon": 0.0}):
        moved = live.patch(f"/api/v1/units/{host['id']}", "ma-operator", json=change)
        assert moved.status_code == 403, moved.text
    with live.database.transaction() as session:
        row = session.get(UnitRow, host["id"])
        assert row is not None
        assert (row.status, row.node_id, row.lat) == ("available", "lusail-g1", None)
    again = live.patch(f"/api/v1/units/{host['id']}", "qa-operator", json={"status": "off_duty"})
    assert again.status_code == 200 and again.json()["status"] == "off_duty"


def test_unit_changes_are_in_the_audit_log(live: Live, field_users: None) -> None:
    created = live.post("/api/v1/units", "qa-operator", json=unit()).json()
    moved = live.patch(
        f"/api/v1/units/{created['id']}", "qa-operator", json={"node_id": "lusail-g3"}
    )
    assert moved.status_code == 200, moved.text
    log = live.get("/api/v1/audit", "qa-commander", params={"object_type": "unit"}).json()
    mine = [e for e in log if e["object_id"] == created["id"]]
    assert sorted(e["action"] for e in mine) == ["create", "update"]
    assert {e["username"] for e in mine} == {"qa-operator"}
    [update] = [e for e in mine if e["action"] == "update"]
    assert "node_id=lusail-g3" in update["reason"]


def test_a_gate_account_posts_only_for_its_venues(live: Live, field_users: None) -> None:
    batch = [
        scan("bound", 1, venue_id="lusail", gate_id="lusail-g1"),
        scan("bound", 2, venue_id="al-bayt", gate_id="al-bayt-g1"),  # not this account's venue
    ]
    refused = live.post("/api/v1/gate-scans", "lusail-gate", json={"scans": batch})
    assert refused.status_code == 403, refused.text
    assert "scans[1].venue_id" in refused.json()["message"]
    assert stored(live, "bound") == 0

    unbound = live.post("/api/v1/gate-scans", "loose-gate", json={"scans": batch[:1]})
    assert unbound.status_code == 403, unbound.text
    assert stored(live, "bound") == 0

    own = live.post("/api/v1/gate-scans", "lusail-gate", json={"scans": batch[:1]})
    assert own.status_code == 200 and own.json()["accepted"] == 1
    operator = live.post("/api/v1/gate-scans", "qa-operator", json={"scans": batch[1:]})
    assert operator.status_code == 200 and operator.json()["accepted"] == 1
    assert stored(live, "bound") == 2


def test_scans_from_1970_are_rejected_and_occupancy_stays_at_or_above_zero(
    live: Live, field_users: None
) -> None:
    entries = [scan("in", i) for i in range(10)]
    assert live.post("/api/v1/gate-scans", "janoub-gate", json={"scans": entries}).json() == {
        "accepted": 10,
        "duplicates": 0,
        "rejected": [],
    }
    before = live.get(f"/api/v1/venues/{VENUE}/status", "qa-operator").json()
    assert before["occupancy"] == 10

    ancient = [
        scan("1970", i, direction="out", scanned_at="1970-01-01T00:00:00+00:00")
        for i in range(3000)
    ]
    answer = live.post("/api/v1/gate-scans", "janoub-gate", json={"scans": ancient}).json()
    assert answer["accepted"] == 0 and len(answer["rejected"]) == 3000
    assert "outside the tournament" in answer["rejected"][0]["reason"]
    stale = [scan("stale", i, scanned_at="2022-11-24T11:00:00+03:00") for i in range(5)]
    answer = live.post("/api/v1/gate-scans", "janoub-gate", json={"scans": stale}).json()
    assert answer["accepted"] == 0 and len(answer["rejected"]) == 5
    assert "older than 12 h before the venue's newest scan" in answer["rejected"][0]["reason"]
    assert stored(live, "1970") == 0 and stored(live, "stale") == 0
    after = live.get(f"/api/v1/venues/{VENUE}/status", "qa-operator").json()
    assert after["occupancy"] == 10
    assert after["last_scan_at"] == before["last_scan_at"]
    assert after["as_of"] == before["as_of"]

    exits = [scan("out", i, direction="out") for i in range(50)]
    answer = live.post("/api/v1/gate-scans", "janoub-gate", json={"scans": exits}).json()
    assert answer["accepted"] == 50
    drained = live.get(f"/api/v1/venues/{VENUE}/status", "qa-operator").json()
    assert drained["occupancy"] == 0
    assert drained["last_scan_at"] == before["last_scan_at"]
