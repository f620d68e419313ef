"""Scenarios in the database: a faithful round trip, atomic writes, explicit replacement."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from opsroom.errors import ConflictError, NotFoundError
from opsroom.scenario import Gate, Scenario, load_scenario
from opsroom.store import Database
from opsroom.store.models import MatchRow, ScenarioRow, VenueRow
from opsroom.store.scenarios import list_scenarios, read_scenario, save_scenario


def fixed_clock() -> datetime:
    return datetime(2022, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def qatar() -> Scenario:
    return load_scenario("qatar2022")


def test_round_trip_keeps_every_row_and_local_kickoffs(database: Database, qatar: Scenario) -> None:
    with database.transaction() as session:
        save_scenario(session, qatar, clock=fixed_clock)
    with database.transaction() as session:
        stored = read_scenario(session, "qatar2022")
        [row] = list_scenarios(session)
    assert row.loaded_at == fixed_clock()
    assert stored.info == qatar.info
    assert stored.matches == qatar.matches
    assert stored.matches[-1].kickoff.isoformat() == "2022-12-18T18:00:00+03:00"
    for table in ("agencies", "teams", "venues", "gates", "sectors", "transport", "links"):
        assert set(getattr(stored, table)) == set(getattr(qatar, table)), table


def test_kickoffs_are_stored_in_utc(database: Database, qatar: Scenario) -> None:
    with database.transaction() as session:
        save_scenario(session, qatar)
    with database.transaction() as session:
        final = session.get(MatchRow, ("qatar2022", "M64"))
        assert final is not None
        assert final.kickoff == datetime(2022, 12, 18, 15, 0, tzinfo=UTC)


def test_loading_twice_needs_replace(database: Database, qatar: Scenario) -> None:
    with database.transaction() as session:
        save_scenario(session, qatar)
    with pytest.raises(ConflictError, match="--replace"), database.transaction() as session:
        save_scenario(session, qatar)
    with database.transaction() as session:
        save_scenario(session, qatar, replace=True)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(VenueRow)) == 8


def test_a_failed_write_leaves_nothing_behind(database: Database, qatar: Scenario) -> None:
    orphan = Gate(
        id="orphan", venue_id="nowhere", name="Orphan", screening_lanes=1, turnstiles=1, source="x"
    )
    broken = Scenario(info=qatar.info, venues=qatar.venues, gates=(*qatar.gates, orphan))
    with pytest.raises(IntegrityError), database.transaction() as session:
        save_scenario(session, broken)
    with database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ScenarioRow)) == 0
        assert session.scalar(select(func.count()).select_from(VenueRow)) == 0


def test_reading_an_unknown_scenario(database: Database) -> None:
    with pytest.raises(NotFoundError, match="afcon2025"), database.transaction() as session:
        read_scenario(session, "afcon2025")
