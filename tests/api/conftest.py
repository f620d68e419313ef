"""An application on a fresh database (SQLite, and PostgreSQL when configured), with users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opsroom.api import create_app
from opsroom.config import Settings
from opsroom.ops.identity import Clock, create_user, utc_now
from opsroom.store import Database

PASSWORD = "correct horse battery"
FAST_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)
"""Argon2 at its cheapest: the same code path in a fraction of the time; for tests only."""
USERS = {
    # username: (agency, role)
    "qa-commander": ("QA-MOI", "commander"),
    "qa-operator": ("QA-MOI", "operator"),
    "qa-analyst": ("QA-MOI", "analyst"),
    "qa-gate": ("QA-MOI", "gate"),
    "qa-viewer": ("QA-MOI", "viewer"),
    "ma-analyst": ("MA-DGSN", "analyst"),
    "ma-commander": ("MA-DGSN", "commander"),
    "tr-analyst": ("TR-EGM", "analyst"),
}
GATE_VENUES = {"qa-gate": ("lusail",)}
"""The venues each gate account of ``api`` may post scans for."""


class ManualClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    clock: ManualClock
    database: Database

    def token(self, username: str) -> str:
        response = self.client.post(
            "/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username)}"}


def add_test_user(
    session: Session,
    username: str,
    agency: str,
    role: str,
    *,
    venues: tuple[str, ...] = (),
    clock: Clock = utc_now,
) -> None:
    """A user with the tests' password, hashed with the cheapest Argon2 parameters."""
    create_user(
        session,
        username=username,
        password=PASSWORD,
        agency_id=agency,
        role=role,
        venues=venues,
        clock=clock,
        hasher=FAST_HASHER,
    )


def add_test_users(session: Session, *, clock: Clock = utc_now) -> None:
    """Every user of :data:`USERS`, gate accounts bound to their venues."""
    for username, (agency, role) in USERS.items():
        add_test_user(
            session, username, agency, role, venues=GATE_VENUES.get(username, ()), clock=clock
        )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2022, 12, 18, 12, 0, tzinfo=UTC))


@pytest.fixture
def api(database: Database, clock: ManualClock) -> Iterator[Api]:
    settings = Settings(database_url=database.url)
    app = create_app(settings, database=database, clock=clock, hasher=FAST_HASHER)
    with database.transaction() as session:
        add_test_users(session, clock=clock)
    with TestClient(app) as client:
        yield Api(app=app, client=client, clock=clock, database=database)
