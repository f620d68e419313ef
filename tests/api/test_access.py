"""Role boundaries, endpoint by endpoint: 403 where the role may not, never where it may."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Api

SCAN = {
    "scan_id": "s-1",
    "venue_id": "lusail",
    "gate_id": "lusail-g1",
    "credential_id": "c-1",
    "direction": "in",
    "scanned_at": "2022-12-18T15:00:00+03:00",
}
INCIDENT = {"type": "medical", "priority": 2, "venue_id": "lusail", "gate_id": "lusail-g1"}
ENTRY = {"id": "E-1", "name": "Karim Benali", "tlp": "green", "shared_with": ["*"]}

# (method, path, body, roles allowed)
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
    ("GET", "/api/v1/venues", None, {"commander", "operator", "analyst", "gate", "viewer"}),
    (
        "GET",
        "/api/v1/venues/lusail/status",
        None,
        {"commander", "operator", "analyst", "gate", "viewer"},
    ),
    ("GET", "/api/v1/matches", None, {"commander", "operator", "analyst", "gate", "viewer"}),
    ("POST", "/api/v1/gate-scans", {"scans": [SCAN]}, {"commander", "operator", "gate"}),
    ("GET", "/api/v1/incidents", None, {"commander", "operator", "analyst", "viewer"}),
    ("POST", "/api/v1/incidents", INCIDENT, {"commander", "operator"}),
    ("GET", "/api/v1/units", None, {"commander", "operator", "analyst", "viewer"}),
    ("GET", "/api/v1/watchlist", None, {"commander", "analyst"}),
    ("POST", "/api/v1/watchlist", {"entries": [ENTRY]}, {"commander", "analyst"}),
    ("GET", "/api/v1/screening/alerts", None, {"commander", "analyst"}),
    (
        "POST",
        "/api/v1/screening/runs",
        {"people": [{"id": "p", "name": "Karim Benali"}]},
        {"commander", "analyst"},
    ),
    ("GET", "/api/v1/audit", None, {"commander"}),
]
ROLES = ["commander", "operator", "analyst", "gate", "viewer"]


@pytest.mark.parametrize("role", ROLES)
def test_role_boundaries(api: Api, role: str) -> None:
    headers = api.headers(f"qa-{role}")
    for method, path, body, allowed in ENDPOINTS:
        response = api.client.request(method, path, json=body, headers=headers)
        if role in allowed:
            assert response.status_code < 400, (role, method, path, response.text)
        else:
            assert response.status_code == 403, (role, method, path, response.text)
            assert response.json()["error"] == "forbidden"
