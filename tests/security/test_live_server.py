"""The attack tests' server is the real one: it answers, refuses a missing token, and signs in."""

from __future__ import annotations

from tests.security.conftest import Live


def test_the_live_server_signs_in_and_refuses_anonymous_callers(live: Live) -> None:
    assert live.get("/health").json()["database"] == "ok"
    assert live.get("/api/v1/me").status_code == 401
    me = live.get("/api/v1/me", "ma-analyst").json()
    assert (me["username"], me["agency_id"]) == ("ma-analyst", "MA-DGSN")
