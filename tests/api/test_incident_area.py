"""Positions outside the deployment's area (the venues' box widened by a margin) are refused."""

from __future__ import annotations

from typing import Any

from opsroom.ops.geo import AREA_MARGIN_M, EARTH_RADIUS_M
from opsroom.scenario import load_scenario
from tests.api.conftest import Api

PARIS = {"lat": 48.8566, "lon": 2.3522}
DOHA_CORNICHE = {"lat": 25.2950, "lon": 51.5300}
METRES_PER_DEGREE = EARTH_RADIUS_M * 3.141592653589793 / 180


def incident(**fields: Any) -> dict[str, Any]:
    return {"type": "suspicious_item", "priority": 2, "description": "bag"} | fields


def test_an_incident_in_paris_is_refused_naming_the_field(api: Api) -> None:
    headers = api.headers("qa-operator")
    refused = api.client.post("/api/v1/incidents", json=incident(**PARIS), headers=headers)
    assert refused.status_code == 422, refused.text
    problems = refused.json()["problems"]
    assert {p["field"] for p in problems} == {"lat", "lon"}
    assert all("outside the deployment's area" in p["message"] for p in problems), problems
    with_venue = api.client.post(
        "/api/v1/incidents", json=incident(venue_id="lusail", **PARIS), headers=headers
    )
    assert with_venue.status_code == 422, with_venue.text
    assert api.client.get("/api/v1/incidents", headers=headers).json() == []


def test_a_unit_in_paris_is_refused(api: Api) -> None:
    headers = api.headers("qa-operator")
    unit = {"id": "P1", "name": "Patrol 1", "kind": "patrol"}
    refused = api.client.post("/api/v1/units", json=unit | PARIS, headers=headers)
    assert refused.status_code == 422, refused.text
    assert {p["field"] for p in refused.json()["problems"]} == {"lat", "lon"}
    assert api.client.post("/api/v1/units", json=unit, headers=headers).status_code == 201
    moved = api.client.patch("/api/v1/units/P1", json={"lat": PARIS["lat"]}, headers=headers)
    assert moved.status_code == 422 and moved.json()["problems"][0]["field"] == "lat"
    here = api.client.patch("/api/v1/units/P1", json=DOHA_CORNICHE, headers=headers)
    assert here.status_code == 200 and here.json()["lat"] == DOHA_CORNICHE["lat"]


def test_doha_and_just_inside_the_margin_are_accepted(api: Api) -> None:
    headers = api.headers("qa-operator")
    venues = load_scenario("qatar2022").venues
    north = max(v.lat for v in venues)
    middle = sum(v.lon for v in venues) / len(venues)
    margin = AREA_MARGIN_M / METRES_PER_DEGREE
    for point in (
        DOHA_CORNICHE,
        {"lat": north + 0.97 * margin, "lon": middle},
    ):
        created = api.client.post("/api/v1/incidents", json=incident(**point), headers=headers)
        assert created.status_code == 201, (point, created.text)
    beyond = {"lat": north + 1.05 * margin, "lon": middle}
    refused = api.client.post("/api/v1/incidents", json=incident(**beyond), headers=headers)
    assert refused.status_code == 422, refused.text
    assert [p["field"] for p in refused.json()["problems"]] == ["lat"]
