"""A real server (uvicorn on a free port, fresh SQLite file, Qatar 2022, users) and a real browser.

Fixture policy: one server per test module, started in a background thread from the same
``create_app`` as ``opsroom serve`` with the dashboard mounted; it can be stopped and started
again on the same port and database (a restart). The browser is the machine's Chromium driven
by Playwright; no browser is ever downloaded. Every page records console errors and uncaught
exceptions, and the tests assert there are none.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher, profiles
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    expect,
    sync_playwright,
)

from opsroom.api import create_app
from opsroom.config import Settings
from opsroom.ops.identity import create_user
from opsroom.replay import ReplayReport, build_schedule, only_matches, run_replay
from opsroom.scenario import load_scenario
from opsroom.store import Database, create_database
from opsroom.web import mount_dashboard

CHROMIUM = os.environ.get("OPSROOM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
USERS = {
    "qa-commander": ("QA-MOI", "commander"),
    "qa-operator": ("QA-MOI", "operator"),
    "qa-analyst": ("QA-MOI", "analyst"),
    "qa-viewer": ("QA-MOI", "viewer"),
    "qa-gate": ("QA-MOI", "gate"),
    "tr-analyst": ("TR-EGM", "analyst"),
}
FAST_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
"""Argon2 at its cheapest: the same code path as production in a fraction of the time."""
REPLAY_DAY = date(2022, 11, 21)
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "img"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """uvicorn serving the app in a thread; ``restart`` stops it and serves again, same port."""

    database: Database
    port: int
    replay: ReplayReport | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        app = create_app(
            Settings(database_url=self.database.url), database=self.database, hasher=FAST_HASHER
        )
        mount_dashboard(app)
        # Open event streams are cut a second after a stop, as a killed process would cut them.
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=20)
        self._server = None
        self._thread = None

    def token(self, username: str) -> str:
        if username in self._tokens:
            return self._tokens[username]
        answer = httpx.post(
            f"{self.url}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        answer.raise_for_status()
        self._tokens[username] = str(answer.json()["access_token"])
        return self._tokens[username]

    def client(self, username: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token(username)}"}
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server on a fresh database, with users and a short replayed match day behind it."""
    path = tmp_path_factory.mktemp("web") / "opsroom.db"
    database = create_database(f"sqlite:///{path}")
    live = LiveServer(database=database, port=_free_port())
    live.start()
    with database.transaction() as session:
        for username, (agency, role) in USERS.items():
            create_user(session, username=username, password=PASSWORD, agency_id=agency, role=role)
    # A short day: one match with a small crowd, played at high speed through the real API
    # up to half an hour after kick-off (the fans still inside).
    scenario = only_matches(load_scenario("qatar2022"), ["M02"], attendance=1200)
    schedule = build_schedule(scenario, REPLAY_DAY, registrations=60, step_s=600.0)
    kickoff = scenario.match("M02").kickoff
    live.replay = run_replay(
        base_url=live.url,
        username="qa-commander",
        password=PASSWORD,
        scenario=scenario,
        day=REPLAY_DAY,
        speed=1_000_000.0,
        schedule=schedule,
        until=kickoff + timedelta(minutes=30),
    )
    try:
        yield live
    finally:
        live.stop()
        database.dispose()


# Two shared cores: give the page time before an expectation fails.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs it from the system packages)")
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


NETWORK_NOISE = "Failed to load resource:"


@dataclass
class Console:
    """What a page reported: errors and warnings of its scripts, uncaught exceptions, and the
    API answers that were refusals or failures (kept apart: the browser also logs each refused
    request to the console, and a refusal can be what a test expects)."""

    errors: list[str] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and not message.text.startswith(NETWORK_NOISE):
            self.errors.append(message.text)

    def answer(self, response: Response) -> None:
        if response.status >= 400:
            path = response.url.split("://", 1)[-1].split("/", 1)[-1]
            self.refusals.append((response.status, "/" + path.split("?", 1)[0]))


def open_page(browser: Browser, console: Console, *, locale: str = "en-GB") -> Page:
    context = browser.new_context(
        locale=locale, viewport={"width": 1440, "height": 1000}, service_workers="block"
    )
    page = context.new_page()
    page.on("console", console.record)
    page.on("response", console.answer)
    page.on("pageerror", lambda error: console.errors.append(str(error)))
    page.set_default_timeout(10_000)
    return page


def log_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
