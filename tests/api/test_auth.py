"""Tokens: issued for a right password, refused otherwise, expiring, revocable, and ended with
the user."""

from __future__ import annotations

import pytest

from opsroom.ops.identity import set_disabled
from tests.api.conftest import PASSWORD, Api

PUBLIC = {"/health", "/api/v1/auth/token"}


def test_token_has_the_oauth2_shape(api: Api) -> None:
    response = api.client.post(
        "/api/v1/auth/token", data={"username": "qa-operator", "password": PASSWORD}
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer" and body["expires_in"] == 12 * 3600
    assert len(body["access_token"]) >= 40


@pytest.mark.parametrize("username,password", [("qa-operator", "wrong one!"), ("nobody", PASSWORD)])
def test_wrong_credentials_get_one_answer(api: Api, username: str, password: str) -> None:
    response = api.client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 401
    assert response.json()["message"] == "incorrect username or password"


def test_every_endpoint_but_two_needs_a_token(api: Api) -> None:
    paths = {p: ops for p, ops in api.app.openapi()["paths"].items() if p not in PUBLIC}
    assert len(paths) >= 15
    for template, operations in paths.items():
        for method in operations:
            path = template.replace("{venue_id}", "lusail").replace("{incident_id}", "1")
            path = path.replace("{unit_id}", "U1").replace("{alert_id}", "1")
            response = api.client.request(method.upper(), path)
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["www-authenticate"] == "Bearer"


def test_public_endpoints(api: Api) -> None:
    health = api.client.get("/health")
    assert health.status_code == 200 and health.json()["database"] == "ok"


def test_metrics_are_off_without_the_scrapers_secret(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 401
    assert api.client.get("/metrics", headers=api.headers("qa-commander")).status_code == 401


def test_token_expires(api: Api) -> None:
    headers = api.headers("qa-viewer")
    assert api.client.get("/api/v1/me", headers=headers).status_code == 200
    api.clock.advance(hours=12, seconds=1)
    response = api.client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401 and response.json()["message"] == "token expired"


def test_logout_revokes_the_token(api: Api) -> None:
    headers = api.headers("qa-viewer")
    assert api.client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabling_a_user_ends_their_sessions_at_once(api: Api) -> None:
    headers = api.headers("qa-operator")
    assert api.client.get("/api/v1/me", headers=headers).json()["role"] == "operator"
    with api.database.transaction() as session:
        set_disabled(session, "qa-operator", True)
    assert api.client.get("/api/v1/me", headers=headers).status_code == 401
    response = api.client.post(
        "/api/v1/auth/token", data={"username": "qa-operator", "password": PASSWORD}
    )
    assert response.status_code == 401


def test_token_in_query_only_for_event_streams(api: Api) -> None:
    token = api.token("qa-viewer")
    assert api.client.get(f"/api/v1/me?access_token={token}").status_code == 401
