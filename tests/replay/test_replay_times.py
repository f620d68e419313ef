"""A replay dates its events by the scenario's clock, not the server's: a timeline keeps the
spacing of the scenario (minutes apart) however fast the replay runs."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from opsroom.replay import build_schedule, only_matches, run_replay
from opsroom.scenario import load_scenario
from tests.web.conftest import PASSWORD, REPLAY_DAY, LiveServer


def test_timeline_steps_keep_their_scenario_spacing(server: LiveServer) -> None:
    small = only_matches(load_scenario("qatar2022"), ["M02"], attendance=900)
    full = build_schedule(
        small, REPLAY_DAY, registrations=10, with_bottleneck=False, with_exits=False
    )
    schedule = dataclasses.replace(full, scans=full.scans[:1])  # incidents and screening only
    (plan,) = schedule.incidents
    assert schedule.screening is not None
    report = run_replay(
        base_url=server.url,
        username="feeder",
        password=PASSWORD,
        scenario=small,
        day=REPLAY_DAY,
        speed=1e9,  # the whole day in well under a second
        schedule=schedule,
    )
    assert report.finished and report.errors == []
    with server.client("feeder") as api:
        (incident,) = api.get("/api/v1/incidents").json()
        alerts = api.get("/api/v1/screening/alerts").json()
    assert datetime.fromisoformat(incident["created_at"]) == plan.at
    offsets = [
        (entry["to_status"] or entry["kind"], datetime.fromisoformat(entry["at"]) - plan.at)
        for entry in incident["timeline"]
    ]
    assert offsets == [
        ("reported", timedelta(0)),
        ("acknowledged", timedelta(minutes=2)),
        ("dispatched", timedelta(minutes=4)),
        ("on_scene", timedelta(minutes=12)),
        ("resolved", timedelta(minutes=35)),
    ]
    assert alerts, "the registration batch raises alerts"
    assert {datetime.fromisoformat(a["created_at"]) for a in alerts} == {schedule.screening.at}
