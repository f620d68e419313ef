"""The OpenAPI description: every schema has an example, every error has our shape."""

from __future__ import annotations

from tests.api.conftest import Api


def test_every_schema_has_an_example(api: Api) -> None:
    document = api.client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    missing = [name for name, schema in schemas.items() if not schema.get("examples")]
    assert missing == []
    assert set(schemas["HTTPValidationError"]["properties"]) == {"error", "message", "problems"}


def test_documented_paths_match_the_contract(api: Api) -> None:
    paths = set(api.client.get("/openapi.json").json()["paths"])
    assert {
        "/health",
        "/metrics",
        "/api/v1/auth/token",
        "/api/v1/venues",
        "/api/v1/venues/{venue_id}",
        "/api/v1/venues/{venue_id}/status",
        "/api/v1/matches",
        "/api/v1/gate-scans",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/incidents/{incident_id}/dispatch",
        "/api/v1/stream",
        "/api/v1/audit",
    } <= paths
