"""A real server for attack tests: ``opsroom serve`` in a subprocess, on SQLite and PostgreSQL.

The server is the one operators run (uvicorn, JSON logs, migrations on start), so what these tests
prove holds for the product, not for an in-process test client. Users of three agencies and every
role are made before it starts (``qa-gate`` bound to Lusail); their passwords are hashed with
Argon2's cheapest parameters (verification reads the parameters from the hash, so the server's code
path is unchanged).

``live`` is one server per module and backend, shared by that module's tests (each uses ids of
its own); ``start_server`` starts one with settings of the test's choosing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from opsroom.store import Database, create_database, upgrade
from tests.api.conftest import PASSWORD, add_test_user, add_test_users
from tests.conftest import BACKENDS, _postgres_schema_url

START_TIMEOUT_S = 90.0
METRICS_TOKEN = "a scraper's long random secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Live:
    """A running server: its address, its database, and sign-in helpers."""

    base: str
    database: Database
    process: subprocess.Popen[str]
    log_path: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def token(self, username: str, *, fresh: bool = False) -> str:
        if fresh or username not in self.tokens:
            response = httpx.post(
                self.url("/api/v1/auth/token"),
                data={"username": username, "password": PASSWORD},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["access_token"]
        return self.tokens[username]

    def headers(self, username: str, *, fresh: bool = False) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, fresh=fresh)}"}

    def get(self, path: str, username: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = (self.headers(username) if username else {}) | kwargs.pop("headers", {})
        return httpx.get(self.url(path), headers=headers, timeout=30, **kwargs)

    def post(self, path: str, username: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = (self.headers(username) if username else {}) | kwargs.pop("headers", {})
        return httpx.post(self.url(path), headers=headers, timeout=30, **kwargs)

    def patch(self, path: str, username: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = (self.headers(username) if username else {}) | kwargs.pop("headers", {})
        return httpx.patch(self.url(path), headers=headers, timeout=30, **kwargs)

    def new_user(self, agency: str, role: str) -> str:
        """A user made for one test, with a name of its own; returns the name."""
        username = f"u{uuid.uuid4().hex[:10]}"
        with self.database.transaction() as session:
            add_test_user(session, username, agency, role)
        return username

    def logs(self) -> str:
        """What the server has written to stderr so far (JSON lines)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


postgres_schema_url = contextmanager(_postgres_schema_url)
"""A private PostgreSQL schema's URL for the block, dropped afterwards."""


@contextmanager
def start_server(
    database_url: str, workdir: Path, env: dict[str, str] | None = None
) -> Iterator[Live]:
    """``opsroom serve`` on ``database_url`` (migrated, with the test users) for the block."""
    database = create_database(database_url)
    upgrade(database)
    with database.transaction() as session:
        add_test_users(session)
    port = free_port()
    log_path = workdir / f"server-{port}.log"
    environment = os.environ | {
        "OPSROOM_DATABASE_URL": database_url,
        "OPSROOM_LOG_LEVEL": "INFO",
        "OPSROOM_METRICS_TOKEN": METRICS_TOKEN,
        **(env or {}),
    }
    with log_path.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "opsroom", "serve", "--port", str(port)],
            env=environment,
            cwd=workdir,
            stdout=log_file,
            stderr=log_file,
            text=True,
        )
    live = Live(
        base=f"http://127.0.0.1:{port}", database=database, process=process, log_path=log_path
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited with {process.returncode}:\n{live.logs()[-4000:]}")
            try:
                if httpx.get(live.url("/health"), timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server did not answer in {START_TIMEOUT_S} s:\n{live.logs()[-4000:]}")
            time.sleep(0.1)
        yield live
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)  # open event streams may hold a graceful stop up
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        database.dispose()


@contextmanager
def backend_url(backend: str, workdir: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``workdir``, or a private PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'opsroom.db'}"
    else:
        with postgres_schema_url() as url:
            yield url


@pytest.fixture(scope="module", params=BACKENDS)
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """One real server for the module's tests on this backend."""
    workdir = tmp_path_factory.mktemp(f"live-{request.param}")
    with backend_url(request.param, workdir) as url, start_server(url, workdir) as server:
        yield server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The backend's name, for tests that start servers of their own with ``start_server``."""
    name: str = request.param
    return name
