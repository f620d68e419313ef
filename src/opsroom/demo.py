"""``opsroom demo``: the live operations room on a built-in scenario, from nothing typed but this.

Binds its port first (a busy port stops it at once, naming a free one), then creates a fresh
SQLite database in the working directory (``opsroom-demo.db``, made anew at each start so that a
replay always starts from an empty day, but never while another demo holds its lock file), loads
the scenario, creates the demo users with new passwords and prints them, starts the server with
the dashboard, and replays a match day against it on an accelerated clock: gate scans following
the crowd engine's arrival profiles, a developing bottleneck at one perimeter, incidents, and
screening alerts.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from opsroom.api.app import create_app
from opsroom.api.logs import configure_logging
from opsroom.config import load_settings
from opsroom.errors import ConflictError
from opsroom.ops.identity import create_user, set_password, set_venues
from opsroom.replay import run_replay
from opsroom.scenario import load_scenario
from opsroom.scenario.report import render_overview
from opsroom.store import Database, create_database, upgrade
from opsroom.store.ops_models import UserRow
from opsroom.store.scenarios import save_scenario

DEMO_USERS = (
    # username, agency, role
    ("commander", "QA-MOI", "commander"),
    ("operator", "QA-MOI", "operator"),
    ("analyst", "QA-MOI", "analyst"),
    ("gate", "QA-MOI", "gate"),
    ("viewer", "QA-MOI", "viewer"),
    ("ma-analyst", "MA-DGSN", "analyst"),
    ("ma-commander", "MA-DGSN", "commander"),
    ("replay", "QA-MOI", "commander"),
)
DEMO_DATABASE = "opsroom-demo.db"
DEFAULT_DAY = date(2022, 11, 26)
"""Four matches at four venues: the busiest kind of group-stage day."""


def _demo_users(database: Database, gate_venues: list[str]) -> dict[str, str]:
    """Create the demo users, or give them new passwords; return username -> password.

    The gate account is bound to ``gate_venues``, the venues of the replayed day.
    """
    passwords = {}
    with database.transaction() as session:
        for username, agency, role in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            venues = gate_venues if role == "gate" else []
            if session.scalar(select(UserRow).where(UserRow.username == username)) is None:
                create_user(
                    session,
                    username=username,
                    password=password,
                    agency_id=agency,
                    role=role,
                    venues=venues,
                )
            else:
                set_password(session, username, password)
                set_venues(session, username, venues)
            passwords[username] = password
    return passwords


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _free_port_after(host: str, port: int, tries: int = 20) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        try:
            with socket.create_server((host, candidate), family=_family(host)):
                return candidate
        except OSError:
            continue
    return None


@contextmanager
def _listening_socket(host: str, port: int) -> Iterator[socket.socket]:
    """The server's socket, bound before anything else is done: a busy port stops the demo
    before it touches a database or prints passwords."""
    try:
        listener = socket.create_server((host, port), family=_family(host))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise ConflictError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        free = _free_port_after(host, port)
        hint = f": try --port {free}" if free is not None else ""
        raise ConflictError(f"port {port} is in use{hint}") from None
    with listener:
        yield listener


@contextmanager
def _demo_lock(database_file: Path) -> Iterator[None]:
    """Hold ``DATABASE.lock`` (an exclusive ``flock``) while the demo runs, so that a second demo
    never deletes the database a running one has open."""
    lock_path = Path(f"{database_file}.lock")
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConflictError(
                f"{database_file} is in use by a running demo ({holder}): stop it, or give "
                "another --database"
            ) from None
        handle.truncate(0)
        handle.write(f"process {os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _wait_until_up(url: str, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    return False


def demo(
    scenario: Annotated[str, typer.Option(help="Built-in scenario name or directory.")] = (
        "qatar2022"
    ),
    day: Annotated[
        str, typer.Option("--date", help="Match day to replay (local date, YYYY-MM-DD).")
    ] = DEFAULT_DAY.isoformat(),
    speed: Annotated[float, typer.Option(help="Replay clock speed (60 = one hour a minute).")] = 60,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    replay: Annotated[bool, typer.Option(help="Replay the match day (--no-replay: don't).")] = True,
    database_file: Annotated[
        Path, typer.Option("--database", help="SQLite file of the demo, made anew at each start.")
    ] = Path(DEMO_DATABASE),
) -> None:
    """Start the live operations room on the scenario, with demo users and a replayed match day."""
    with _listening_socket(host, port) as listener, _demo_lock(database_file):
        _run_demo(scenario, day, speed, host, port, replay, database_file, listener)


def _run_demo(
    scenario: str,
    day: str,
    speed: float,
    host: str,
    port: int,
    replay: bool,
    database_file: Path,
    listener: socket.socket,
) -> None:
    console = Console()
    settings = load_settings()
    configure_logging("WARNING")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    loaded = load_scenario(scenario)
    replay_day = date.fromisoformat(day)
    if replay and not loaded.matches_on(replay_day):
        days = ", ".join(d.isoformat() for d in loaded.match_days())
        raise typer.BadParameter(f"no match on {day}; match days: {days}", param_hint="--date")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{database_file}{suffix}").unlink(missing_ok=True)
    database_url = f"sqlite:///{database_file.resolve()}"
    settings = settings.model_copy(
        update={"database_url": database_url, "default_scenario": loaded.info.id}
    )
    database = create_database(database_url)
    upgrade(database)
    with database.transaction() as session:
        save_scenario(session, loaded, replace=True)
    render_overview(loaded, console)
    gate_venues = sorted({m.venue_id for m in loaded.matches_on(replay_day)}) or [
        v.id for v in loaded.venues
    ]
    passwords = _demo_users(database, gate_venues)
    app = create_app(settings, database=database)
    url = f"http://{host}:{port}"
    table = Table(title="Demo users (new passwords each run)", title_justify="left")
    for column in ("username", "agency", "role", "password"):
        table.add_column(column)
    for username, agency, role in DEMO_USERS:
        table.add_row(username, agency, role, passwords[username])
    console.print(table)
    console.print(f"The gate account posts scans for: {', '.join(gate_venues)}")
    console.print(f"[bold]Operations room:[/] {url}   (database {database_file})")
    stop = threading.Event()
    if replay:
        console.print(f"Replaying {replay_day} at {speed:g}x; press Ctrl+C to stop.")

        def play() -> None:
            if _wait_until_up(url, stop):
                report = run_replay(
                    base_url=url,
                    username="replay",
                    password=passwords["replay"],
                    scenario=loaded,
                    day=replay_day,
                    speed=speed,
                    stop=stop,
                )
                logging.getLogger("opsroom.demo").warning(
                    "replay finished", extra={"scans": report.accepted, "errors": report.errors}
                )

        threading.Thread(target=play, name="replay", daemon=True).start()
    try:
        # The client address is the socket's; a trusted proxy is configured in the app.
        config = uvicorn.Config(app, log_config=None, access_log=False, proxy_headers=False)
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        stop.set()
