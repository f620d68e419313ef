"""Gate scans: exactly once, all or nothing on bad input, and the occupancy kept from them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from opsroom.store.ops_models import GateScanRow
from tests.api.conftest import Api


def scan(i: int, **changes: Any) -> dict[str, Any]:
    return {
        "scan_id": f"lusail-g1-{i}",
        "venue_id": "lusail",
        "gate_id": "lusail-g1",
        "credential_id": f"TKT-{i}",
        "direction": "in",
        "scanned_at": "2022-12-18T15:00:00+03:00",
    } | changes


def stored(api: Api) -> int:
    with api.database.transaction() as session:
        return session.scalar(select(func.count()).select_from(GateScanRow)) or 0


def test_repeated_ids_are_stored_once(api: Api) -> None:
    headers = api.headers("qa-gate")
    first = api.client.post(
        "/api/v1/gate-scans", json={"scans": [scan(i) for i in range(10)]}, headers=headers
    )
    assert first.json() == {"accepted": 10, "duplicates": 0, "rejected": []}
    again = [scan(i) for i in range(5, 15)] + [scan(14)]
    second = api.client.post("/api/v1/gate-scans", json={"scans": again}, headers=headers)
    assert second.json() == {"accepted": 5, "duplicates": 6, "rejected": []}
    assert stored(api) == 15


def test_unknown_gate_refuses_the_whole_batch(api: Api) -> None:
    batch = [scan(1), scan(2, gate_id="al-bayt-g1"), scan(3)]
    response = api.client.post(
        "/api/v1/gate-scans", json={"scans": batch}, headers=api.headers("qa-gate")
    )
    assert response.status_code == 422
    [problem] = response.json()["problems"]
    assert problem["field"] == "scans[1].gate_id"
    assert stored(api) == 0


def test_time_without_zone_names_the_field(api: Api) -> None:
    batch = [scan(1), scan(2, scanned_at="2022-12-18T15:00:00")]
    response = api.client.post(
        "/api/v1/gate-scans", json={"scans": batch}, headers=api.headers("qa-gate")
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "scans.1.scanned_at"
    assert stored(api) == 0


def test_malformed_and_oversized_bodies(api: Api) -> None:
    headers = api.headers("qa-gate") | {"Content-Type": "application/json"}
    broken = api.client.post("/api/v1/gate-scans", content=b'{"scans": [', headers=headers)
    assert broken.status_code == 422 and broken.json()["error"] == "invalid_input"
    too_many = api.client.post(
        "/api/v1/gate-scans", json={"scans": [scan(i) for i in range(5001)]}, headers=headers
    )
    assert too_many.status_code == 422
    assert too_many.json()["problems"][0]["field"] == "scans"
    nul = api.client.post(
        "/api/v1/gate-scans", json={"scans": [scan(1, credential_id="a\x00")]}, headers=headers
    )
    assert nul.status_code == 422
    assert stored(api) == 0


def test_scans_from_the_future_are_rejected_one_by_one(api: Api) -> None:
    # the test clock stands at 2022-12-18 12:00 UTC (15:00 in Doha)
    batch = [scan(1), scan(2, scanned_at="2022-12-18T16:00:00+03:00")]
    response = api.client.post(
        "/api/v1/gate-scans", json={"scans": batch}, headers=api.headers("qa-gate")
    )
    assert response.json() == {
        "accepted": 1,
        "duplicates": 0,
        "rejected": [{"index": 1, "reason": "scanned_at is in the future"}],
    }


def test_status_counts_occupancy_and_inflow(api: Api) -> None:
    headers = api.headers("qa-operator")
    batch = [scan(i, scanned_at=f"2022-12-18T14:{50 + i % 10:02d}:00+03:00") for i in range(40)]
    batch += [
        scan(100 + i, direction="out", gate_id="lusail-g2", scan_id=f"o{i}") for i in range(4)
    ]
    assert (
        api.client.post("/api/v1/gate-scans", json={"scans": batch}, headers=headers).json()[
            "accepted"
        ]
        == 44
    )
    status = api.client.get("/api/v1/venues/lusail/status", headers=headers).json()
    assert status["occupancy"] == 36
    assert status["as_of"] == "2022-12-18T15:00:00+03:00"
    assert status["match_id"] == "M64"
    gates = {g["gate_id"]: g for g in status["gates"]}
    assert gates["lusail-g1"]["occupancy"] == 40 and gates["lusail-g2"]["occupancy"] == -4
    assert len(status["inflow_per_minute"]) == 15
    assert sum(m["count"] for m in status["inflow_per_minute"]) == 40
    nowcast = status["nowcast"]
    assert {c["checkpoint_id"] for c in nowcast["checkpoints"]} >= {"lusail-g1-turnstiles"}
    assert status["alert_level"] in {"none", "watch", "warning", "critical"}
