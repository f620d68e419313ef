"""The replay sender against a real server: every scan stored once, across a restart."""

from __future__ import annotations

import threading

import pytest

from opsroom.replay import ReplayReport, build_schedule, only_matches, run_replay
from opsroom.scenario import Scenario, load_scenario
from tests.web.conftest import PASSWORD, REPLAY_DAY, LiveServer


@pytest.fixture(scope="module")
def small() -> Scenario:
    return only_matches(load_scenario("qatar2022"), ["M02"], attendance=900)


def _occupancy(server: LiveServer, venue_id: str) -> int:
    with server.client("feeder") as api:
        occupancy: int = api.get(f"/api/v1/venues/{venue_id}/status").json()["occupancy"]
    return occupancy


def test_every_scan_is_stored_once_across_a_server_restart(
    server: LiveServer, small: Scenario
) -> None:
    schedule = build_schedule(small, REPLAY_DAY, registrations=0, step_s=300.0)
    # About 3 s of real time: long enough to restart the server in the middle.
    speed = (schedule.end - schedule.start).total_seconds() / 3.0
    result: list[ReplayReport] = []
    replay = threading.Thread(
        target=lambda: result.append(
            run_replay(
                base_url=server.url,
                username="feeder",
                password=PASSWORD,
                scenario=small,
                day=REPLAY_DAY,
                speed=speed,
                schedule=schedule,
            )
        )
    )
    replay.start()
    threading.Event().wait(1.0)
    server.stop()
    threading.Event().wait(0.5)
    server.start()
    replay.join(timeout=60)
    assert not replay.is_alive()
    report = result[0]
    assert report.finished and report.rejected == 0
    # A batch whose answer was lost in the restart is sent again and counted as duplicates.
    assert report.scans_sent >= schedule.total_scans
    assert report.accepted + report.duplicates == report.scans_sent
    assert _occupancy(server, "khalifa") == 0  # everyone has left
    # A second run of the same day stores nothing new.
    again = run_replay(
        base_url=server.url,
        username="feeder",
        password=PASSWORD,
        scenario=small,
        day=REPLAY_DAY,
        speed=1e9,
        schedule=schedule,
    )
    # Every scan is on the server exactly once: a second run of the day adds nothing.
    assert again.accepted == 0 and again.duplicates == schedule.total_scans
    assert again.units_created == 0
    assert _occupancy(server, "khalifa") == 0


def test_stop_ends_the_replay_early(server: LiveServer, small: Scenario) -> None:
    schedule = build_schedule(small, REPLAY_DAY, registrations=0, step_s=600.0)
    stop = threading.Event()
    stop.set()
    report = run_replay(
        base_url=server.url,
        username="feeder",
        password=PASSWORD,
        scenario=small,
        day=REPLAY_DAY,
        stop=stop,
        schedule=schedule,
    )
    assert not report.finished and report.scans_sent == 0


def test_until_stops_at_a_scenario_time(server: LiveServer, small: Scenario) -> None:
    schedule = build_schedule(small, REPLAY_DAY, registrations=0, step_s=600.0)
    until = schedule.scans[len(schedule.scans) // 2].at
    report = run_replay(
        base_url=server.url,
        username="feeder",
        password=PASSWORD,
        scenario=small,
        day=REPLAY_DAY,
        speed=1e9,
        schedule=schedule,
        until=until,
    )
    inside = sum(
        s.count if s.direction == "in" else -s.count for s in schedule.scans if s.at <= until
    )
    assert not report.finished
    assert report.accepted == sum(s.count for s in schedule.scans if s.at <= until)
    assert inside > 0 and _occupancy(server, "khalifa") == inside
