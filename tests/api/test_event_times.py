"""Events carry the data's clock: ``reported_at``, ``at`` and ``screened_at`` given by the client.

The ``api`` fixture's clock stands at 18 Dec 2022 12:00 UTC, inside the tournament.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tests.api.conftest import Api

REPORTED = "2022-11-26T14:59:00+03:00"


def _incident(api: Api, headers: dict[str, str], **fields: Any) -> Any:
    body = {"type": "medical", "priority": 2, "venue_id": "lusail"} | fields
    return api.client.post("/api/v1/incidents", json=body, headers=headers)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def test_incident_times_are_the_clients_and_kept(api: Api) -> None:
    headers = api.headers("qa-operator")
    api.client.post(
        "/api/v1/units",
        json={"id": "P1", "name": "P1", "kind": "patrol", "venue_id": "lusail"},
        headers=headers,
    )
    created = _incident(api, headers, reported_at=REPORTED)
    assert created.status_code == 201, created.text
    incident = created.json()["id"]
    assert _at(created.json()["created_at"]) == _at(REPORTED)
    assert _at(created.json()["timeline"][0]["at"]) == _at(REPORTED)
    sent = api.client.post(
        f"/api/v1/incidents/{incident}/dispatch",
        json={"at": "2022-11-26T15:03:00+03:00"},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    moved = api.client.patch(
        f"/api/v1/incidents/{incident}",
        json={"status": "on_scene", "at": "2022-11-26T15:34:00+03:00"},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    read = api.client.get(f"/api/v1/incidents/{incident}", headers=headers).json()
    times = [(t["kind"], _at(t["at"])) for t in read["timeline"]]
    assert times == [
        ("reported", _at(REPORTED)),
        ("status", _at("2022-11-26T15:03:00+03:00")),
        ("dispatch", _at("2022-11-26T15:03:00+03:00")),
        ("status", _at("2022-11-26T15:34:00+03:00")),
    ]
    assert _at(read["updated_at"]) == _at("2022-11-26T15:34:00+03:00")


def test_absent_times_are_the_servers_clock(api: Api) -> None:
    headers = api.headers("qa-operator")
    created = _incident(api, headers).json()
    assert _at(created["created_at"]) == api.clock()
    api.clock.advance(minutes=7)
    moved = api.client.patch(
        f"/api/v1/incidents/{created['id']}", json={"note": "still there"}, headers=headers
    ).json()
    assert _at(moved["timeline"][-1]["at"]) == api.clock()


@pytest.mark.parametrize(
    ("value", "reason"),
    [("1970-01-01T00:00:00+00:00", "outside the tournament"), ("2022-12-18T13:00:00Z", "future")],
)
def test_implausible_times_are_refused_naming_the_field(api: Api, value: str, reason: str) -> None:
    headers = api.headers("qa-operator")
    refused = _incident(api, headers, reported_at=value)
    assert refused.status_code == 422
    assert [(p["field"], reason in p["message"]) for p in refused.json()["problems"]] == [
        ("reported_at", True)
    ]
    assert api.client.get("/api/v1/incidents", headers=headers).json() == []
    incident = _incident(api, headers, reported_at=REPORTED).json()["id"]
    for path, method, body in (
        (f"/api/v1/incidents/{incident}", "PATCH", {"status": "acknowledged", "at": value}),
        (f"/api/v1/incidents/{incident}/dispatch", "POST", {"at": value}),
    ):
        answer = api.client.request(method, path, json=body, headers=headers)
        assert answer.status_code == 422, answer.text
        assert [p["field"] for p in answer.json()["problems"]] == ["at"]
    unchanged = api.client.get(f"/api/v1/incidents/{incident}", headers=headers).json()
    assert unchanged["status"] == "reported" and len(unchanged["timeline"]) == 1


def test_a_change_before_the_report_is_refused(api: Api) -> None:
    headers = api.headers("qa-operator")
    incident = _incident(api, headers, reported_at=REPORTED).json()["id"]
    answer = api.client.patch(
        f"/api/v1/incidents/{incident}",
        json={"status": "acknowledged", "at": "2022-11-26T14:00:00+03:00"},
        headers=headers,
    )
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json()["problems"]] == ["at"]


def _screen(api: Api, headers: dict[str, str], **fields: Any) -> Any:
    person = {"id": "HAYYA-1", "name": "Mohammed bin Ali Al-Hasani", "birth_date": "1988"}
    body = {"people": [person]} | fields
    return api.client.post("/api/v1/screening/runs", json=body, headers=headers)


def test_screening_alerts_carry_screened_at(api: Api) -> None:
    headers = api.headers("qa-analyst")
    entry = {"id": "E1", "name": "Mohammed bin Ali Al-Hasani", "birth_date": "1988"}
    assert (
        api.client.post("/api/v1/watchlist", json={"entries": [entry]}, headers=headers)
    ).status_code == 201
    run = _screen(api, headers, screened_at="2022-11-26T12:00:00+03:00")
    assert run.status_code == 201, run.text
    alert = run.json()["alerts"][0]
    assert _at(alert["created_at"]) == _at("2022-11-26T12:00:00+03:00")
    read = api.client.get(f"/api/v1/screening/alerts/{alert['id']}", headers=headers)
    assert _at(read.json()["created_at"]) == _at("2022-11-26T12:00:00+03:00")
    later = _screen(api, headers).json()["alerts"][0]
    assert _at(later["created_at"]) == api.clock() == datetime(2022, 12, 18, 12, tzinfo=UTC)
    refused = _screen(api, headers, screened_at="1970-01-01T00:00:00Z")
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["screened_at"]
