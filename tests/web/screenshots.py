"""Screenshots of the main views for ``docs/img/``, from the current code.

Starts a server on a temporary database, replays 21 November 2022 of the Qatar 2022 scenario at
full attendance up to 35 minutes before the first kick-off (with its bottleneck at one gate of
Khalifa International Stadium), then photographs the views in a real Chromium. Run it with::

    .venv/bin/python -m tests.web.screenshots
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from opsroom.replay import build_schedule, run_replay
from opsroom.scenario import load_scenario
from opsroom.store import create_database
from tests.api.conftest import add_test_user
from tests.web.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    REPLAY_DAY,
    SCREENSHOTS,
    USERS,
    Console,
    LiveServer,
    _free_port,
    log_in,
    open_page,
)


def _shoot(page: Page, name: str) -> Path:
    page.wait_for_timeout(1500)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def main() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp())
    database = create_database(f"sqlite:///{folder / 'opsroom.db'}")
    server = LiveServer(database=database, port=_free_port())
    server.start()
    with database.transaction() as session:
        for username, (agency, role) in USERS.items():
            add_test_user(session, username, agency, role)
    scenario = load_scenario("qatar2022")
    schedule = build_schedule(scenario, REPLAY_DAY)
    first = min(scenario.matches_on(REPLAY_DAY), key=lambda m: m.kickoff)
    report = run_replay(
        base_url=server.url,
        username="qa-commander",
        password=PASSWORD,
        scenario=scenario,
        day=REPLAY_DAY,
        speed=5000.0,
        schedule=schedule,
        until=first.kickoff - timedelta(minutes=35),
    )
    print(report)
    with server.client("qa-commander") as api:
        alert_id = api.get("/api/v1/screening/alerts").json()[0]["id"]
        for venue in api.get("/api/v1/venues").json():  # a fresh nowcast for every venue
            api.get(f"/api/v1/venues/{venue['id']}/status")
    console = Console()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_page(browser, console)
        page.set_viewport_size({"width": 1440, "height": 960})
        log_in(page, server, "qa-commander")
        print(_shoot(page, "overview"))
        page.goto(f"{server.url}/#/venue/khalifa")
        print(_shoot(page, "venue"))
        page.goto(f"{server.url}/#/incidents")
        page.locator("#incident-list li a").first.click()
        print(_shoot(page, "incidents"))
        page.goto(f"{server.url}/#/analyst/{alert_id}")
        page.fill("#reason-form input[name=reason]", "Review before gate opening")
        page.locator("#reason-form button[type=submit]").click()
        page.wait_for_selector("#explanation")
        print(_shoot(page, "analyst"))
        page.goto(f"{server.url}/#/overview")
        page.select_option("#lang", "ar")
        print(_shoot(page, "overview-ar"))
        page.goto(f"{server.url}/#/venue/khalifa")
        print(_shoot(page, "venue-ar"))
        # An officer at a gate has a phone: the same views at 390 x 844.
        page.set_viewport_size({"width": 390, "height": 844})
        page.select_option("#lang", "en")
        page.goto(f"{server.url}/#/overview")
        print(_shoot(page, "overview-phone"))
        page.goto(f"{server.url}/#/incidents")
        print(_shoot(page, "incidents-phone"))
        page.select_option("#lang", "ar")
        page.goto(f"{server.url}/#/venue/khalifa")
        print(_shoot(page, "venue-phone-ar"))
        browser.close()
    server.stop()
    database.dispose()
    print("console errors:", console.errors)


if __name__ == "__main__":
    main()
