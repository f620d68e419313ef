"""Incidents through their lifecycle, with a timeline, and dispatch of the nearest fit unit."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api


def unit(unit_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": unit_id, "name": unit_id, "kind": "patrol", "capabilities": []} | fields


def test_lifecycle_with_timeline_and_refused_jumps(api: Api) -> None:
    headers = api.headers("qa-operator")
    api.client.post(
        "/api/v1/units",
        json=unit("P1", venue_id="lusail", node_id="lusail-g2", capabilities=["first_aid"]),
        headers=headers,
    )
    created = api.client.post(
        "/api/v1/incidents",
        json={
            "type": "medical",
            "priority": 2,
            "venue_id": "lusail",
            "gate_id": "lusail-g1",
            "description": "fan collapsed",
            "required_capability": "first_aid",
        },
        headers=headers,
    ).json()
    incident = created["id"]
    assert created["status"] == "reported"
    jump = api.client.patch(
        f"/api/v1/incidents/{incident}", json={"status": "resolved"}, headers=headers
    )
    assert jump.status_code == 409 and "on_scene" not in jump.json()["message"]
    sent = api.client.post(f"/api/v1/incidents/{incident}/dispatch", json={}, headers=headers)
    assert sent.status_code == 200
    assert sent.json()["unit"]["id"] == "P1" and sent.json()["method"] == "walking_network"
    for status in ("on_scene", "resolved", "closed"):
        step = api.client.patch(
            f"/api/v1/incidents/{incident}", json={"status": status}, headers=headers
        )
        assert step.status_code == 200, step.text
    closed = api.client.get(f"/api/v1/incidents/{incident}", headers=headers).json()
    assert [t["to_status"] for t in closed["timeline"] if t["to_status"]] == [
        "acknowledged",
        "dispatched",
        "on_scene",
        "resolved",
        "closed",
    ]
    assert {t["author"] for t in closed["timeline"]} == {"qa-operator"}
    units = api.client.get("/api/v1/units", headers=headers).json()
    assert units[0]["status"] == "available"  # freed when the incident was resolved
    again = api.client.patch(
        f"/api/v1/incidents/{incident}", json={"status": "closed"}, headers=headers
    )
    assert again.status_code == 409


def test_dispatch_picks_the_nearest_unit_with_the_capability(api: Api) -> None:
    headers = api.headers("qa-commander")
    # Lusail gate 1 incident; a medic far away, a closer patrol without the capability, and a
    # medic at the same gate.
    for body in (
        unit("far-medic", kind="medical", capabilities=["first_aid"], lat=25.2854, lon=51.5310),
        unit("near-patrol", venue_id="lusail", node_id="lusail-g1"),
        unit(
            "gate-medic",
            kind="medical",
            capabilities=["first_aid"],
            venue_id="lusail",
            node_id="lusail-g1",
        ),
    ):
        assert api.client.post("/api/v1/units", json=body, headers=headers).status_code == 201
    created = api.client.post(
        "/api/v1/incidents",
        json={
            "type": "medical",
            "priority": 1,
            "venue_id": "lusail",
            "gate_id": "lusail-g1",
            "required_capability": "first_aid",
        },
        headers=headers,
    ).json()
    sent = api.client.post(
        f"/api/v1/incidents/{created['id']}/dispatch", json={}, headers=headers
    ).json()
    assert sent["unit"]["id"] == "gate-medic" and sent["distance_m"] == 0
    second = api.client.post(
        "/api/v1/incidents",
        json={
            "type": "medical",
            "priority": 1,
            "lat": 25.42,
            "lon": 51.49,
            "required_capability": "first_aid",
        },
        headers=headers,
    ).json()
    sent = api.client.post(
        f"/api/v1/incidents/{second['id']}/dispatch", json={}, headers=headers
    ).json()
    assert sent["unit"]["id"] == "far-medic" and sent["method"] == "straight_line"
    assert 15_000 < sent["distance_m"] < 17_000
    third = api.client.post(
        "/api/v1/incidents",
        json={
            "type": "medical",
            "priority": 1,
            "venue_id": "lusail",
            "required_capability": "first_aid",
        },
        headers=headers,
    ).json()
    none_left = api.client.post(
        f"/api/v1/incidents/{third['id']}/dispatch", json={}, headers=headers
    )
    assert none_left.status_code == 409 and "first_aid" in none_left.json()["message"]


def test_bad_incident_input_names_the_field(api: Api) -> None:
    headers = api.headers("qa-operator")
    bad = api.client.post("/api/v1/incidents", json={"type": "x", "priority": 9}, headers=headers)
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "priority"
    nowhere = api.client.post(
        "/api/v1/incidents",
        json={"type": "x", "priority": 2, "venue_id": "wembley"},
        headers=headers,
    )
    assert nowhere.status_code == 422 and nowhere.json()["problems"][0]["field"] == "venue_id"
    assert api.client.get("/api/v1/incidents/999", headers=headers).status_code == 404
