"""A real server with a commander, ``feeder``, for the replay's client to post to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opsroom.ops.identity import create_user
from opsroom.store import create_database
from tests.web.conftest import FAST_HASHER, PASSWORD, LiveServer, _free_port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    database = create_database(f"sqlite:///{tmp_path / 'opsroom.db'}")
    live = LiveServer(database=database, port=_free_port())
    live.start()
    with database.transaction() as session:
        create_user(
            session,
            username="feeder",
            password=PASSWORD,
            agency_id="QA-MOI",
            role="commander",
            hasher=FAST_HASHER,
        )
    try:
        yield live
    finally:
        live.stop()
        database.dispose()
