"""Simultaneous dispatches never send one unit to two incidents.

Each round reports a few incidents that need a capability only one unit has, then sends their
dispatch requests at the same moment (threads released by a barrier) to a real server. Exactly one
incident gets the unit; the others are refused with a 409 that says why. With two suitable units
and two incidents, each incident gets a unit of its own.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import select

from opsroom.store.ops_models import IncidentRow, UnitRow
from tests.security.conftest import Live

ROUNDS = 6
CONTENDERS = 3
BARRIER_TIMEOUT_S = 30


def _unit(live: Live, capability: str, node: str) -> str:
    unit_id = f"U-{uuid.uuid4().hex[:10]}"
    body = {
        "id": unit_id,
        "name": unit_id,
        "kind": "medical",
        "capabilities": [capability],
        "venue_id": "lusail",
        "node_id": node,
    }
    response = live.post("/api/v1/units", "qa-operator", json=body)
    assert response.status_code == 201, response.text
    return unit_id


def _incident(live: Live, capability: str) -> int:
    body = {
        "type": "medical",
        "priority": 1,
        "description": "fan collapsed",
        "venue_id": "lusail",
        "gate_id": "lusail-g1",
        "required_capability": capability,
    }
    response = live.post("/api/v1/incidents", "qa-operator", json=body)
    assert response.status_code == 201, response.text
    incident_id: int = response.json()["id"]
    return incident_id


def _dispatch_together(live: Live, incidents: list[int]) -> list[httpx.Response]:
    """POST every incident's dispatch at once, each from its own thread and connection."""
    users = ["qa-operator", "qa-commander", "ma-commander"]
    headers = [live.headers(users[i % len(users)]) for i in range(len(incidents))]
    barrier = threading.Barrier(len(incidents))
    clients = [httpx.Client(base_url=live.base, timeout=60) for _ in incidents]
    for client in clients:  # connect before the barrier, so the requests leave together
        assert client.get("/health").status_code == 200

    def send(index: int) -> httpx.Response:
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
        return clients[index].post(
            f"/api/v1/incidents/{incidents[index]}/dispatch", json={}, headers=headers[index]
        )

    try:
        with ThreadPoolExecutor(max_workers=len(incidents)) as pool:
            return list(pool.map(send, range(len(incidents))))
    finally:
        for client in clients:
            client.close()


def _holders(live: Live, unit_ids: set[str]) -> dict[str, list[int]]:
    """Which incidents the database says each unit was sent to."""
    with live.database.transaction() as session:
        rows = session.scalars(select(IncidentRow).where(IncidentRow.unit_id.in_(unit_ids)))
        holders: dict[str, list[int]] = {unit_id: [] for unit_id in unit_ids}
        for row in rows:
            assert row.unit_id is not None
            holders[row.unit_id].append(row.id)
        return holders


def _unit_status(live: Live, unit_id: str) -> str:
    with live.database.transaction() as session:
        row = session.get(UnitRow, unit_id)
        assert row is not None
        return row.status


def test_the_only_suitable_unit_goes_to_exactly_one_incident(live: Live) -> None:
    for round_ in range(ROUNDS):
        capability = f"race-{round_}-{uuid.uuid4().hex[:6]}"
        unit_id = _unit(live, capability, "lusail-g2")
        incidents = [_incident(live, capability) for _ in range(CONTENDERS)]
        answers = _dispatch_together(live, incidents)
        codes = sorted(a.status_code for a in answers)
        assert codes == [200] + [409] * (CONTENDERS - 1), (round_, [a.text for a in answers])
        [winner] = [a.json() for a in answers if a.status_code == 200]
        assert winner["unit"]["id"] == unit_id
        for loser in (a.json() for a in answers if a.status_code == 409):
            assert capability in loser["message"], loser
        assert _holders(live, {unit_id}) == {unit_id: [winner["incident"]["id"]]}
        assert _unit_status(live, unit_id) == "dispatched"


def test_the_loser_takes_the_next_suitable_unit(live: Live) -> None:
    for round_ in range(ROUNDS // 2):
        capability = f"pair-{round_}-{uuid.uuid4().hex[:6]}"
        near = _unit(live, capability, "lusail-g1")
        far = _unit(live, capability, "lusail-g4")
        incidents = [_incident(live, capability) for _ in range(2)]
        answers = _dispatch_together(live, incidents)
        assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
        sent: list[dict[str, Any]] = [a.json() for a in answers]
        assert {s["unit"]["id"] for s in sent} == {near, far}
        holders = _holders(live, {near, far})
        assert sorted(len(v) for v in holders.values()) == [1, 1], holders
