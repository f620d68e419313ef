"""Intelligence sharing: need-to-know between agencies, audit of every read, append-only log."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.api.conftest import Api

ENTRIES = [
    {  # QA-MOI's own, shared with Morocco only
        "id": "QA-1",
        "name": "محمد بن علي الحسني",
        "aliases": ["Mohamed Ben Ali El Hassani"],
        "birth_date": "1988",
        "shared_with": ["MA-DGSN"],
        "tlp": "amber",
    },
    {"id": "QA-2", "name": "Youssef Amrani", "tlp": "red"},  # QA-MOI alone
]
PEOPLE = [
    {"id": "HAYYA-1", "name": "Mohammed bin Ali Al-Hasani", "birth_date": "1988-03-02"},
    {"id": "HAYYA-2", "name": "Youssef El Amrani"},
    {"id": "HAYYA-3", "name": "John Smith"},
]


def seed(api: Api) -> dict[str, str]:
    headers = api.headers("qa-analyst")
    added = api.client.post("/api/v1/watchlist", json={"entries": ENTRIES}, headers=headers)
    assert added.status_code == 201, added.text
    run = api.client.post("/api/v1/screening/runs", json={"people": PEOPLE}, headers=headers)
    assert run.status_code == 201, run.text
    return {a["entry_id"]: a["id"] for a in run.json()["alerts"]}


def test_screening_finds_the_listed_people_across_scripts(api: Api) -> None:
    alerts = seed(api)
    assert set(alerts) == {"QA-1", "QA-2"}


def test_need_to_know_between_agencies(api: Api) -> None:
    alerts = seed(api)
    morocco = api.headers("ma-analyst")
    listed = api.client.get("/api/v1/watchlist", headers=morocco).json()
    assert [e["id"] for e in listed] == ["QA-1"]
    visible = api.client.get("/api/v1/screening/alerts", headers=morocco).json()
    assert [a["entry_id"] for a in visible] == ["QA-1"]
    assert (
        api.client.get(f"/api/v1/screening/alerts/{alerts['QA-1']}", headers=morocco).status_code
        == 200
    )
    # not shared: the same answer as an alert that does not exist
    hidden = api.client.get(f"/api/v1/screening/alerts/{alerts['QA-2']}", headers=morocco)
    assert hidden.status_code == 404
    turkey = api.headers("tr-analyst")
    assert api.client.get("/api/v1/screening/alerts", headers=turkey).json() == []
    viewer = api.headers("qa-viewer")
    assert (
        api.client.get(f"/api/v1/screening/alerts/{alerts['QA-1']}", headers=viewer).status_code
        == 403
    )


def test_every_read_is_audited_with_who_where_and_why(api: Api) -> None:
    alerts = seed(api)
    qatar = api.headers("qa-analyst")
    response = api.client.get(
        f"/api/v1/screening/alerts/{alerts['QA-1']}?reason=gate%20check%20at%20Lusail",
        headers=qatar,
    )
    explanation = response.json()["explanation"]
    assert explanation["entry_id"] == "QA-1" and "text" in explanation
    decided = api.client.post(
        f"/api/v1/screening/alerts/{alerts['QA-1']}/decision",
        json={"decision": "dismiss", "reason": "different father's name"},
        headers=qatar,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "dismissed"
    twice = api.client.post(
        f"/api/v1/screening/alerts/{alerts['QA-1']}/decision",
        json={"decision": "confirm", "reason": "x"},
        headers=qatar,
    )
    assert twice.status_code == 409
    log = api.client.get("/api/v1/audit", headers=api.headers("qa-commander")).json()
    read = next(e for e in log if e["action"] == "read")
    assert (read["username"], read["agency_id"], read["object_id"]) == (
        "qa-analyst",
        "QA-MOI",
        alerts["QA-1"],
    )
    assert read["reason"] == "gate check at Lusail" and read["client"] == "testclient"
    actions = [e["action"] for e in log]
    assert {"create", "screen", "read", "dismiss"} <= set(actions)
    assert api.client.get("/api/v1/audit", headers=api.headers("ma-analyst")).status_code == 403


def test_tlp_red_cannot_be_shared_with_everyone(api: Api) -> None:
    entry = {"id": "X", "name": "Someone Else", "tlp": "red", "shared_with": ["*"]}
    response = api.client.post(
        "/api/v1/watchlist", json={"entries": [entry]}, headers=api.headers("qa-analyst")
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "entries[0].shared_with"


def test_the_audit_log_refuses_changes_in_the_database(api: Api) -> None:
    seed(api)
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), api.database.transaction() as s:
            s.execute(text(statement))
    with api.database.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() >= 2
