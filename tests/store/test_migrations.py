"""The migrations build exactly the schema the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from opsroom.store import Database, create_database, current_revision, head_revision, upgrade
from opsroom.store.models import Base


def test_upgrade_reaches_head_and_matches_the_models(database: Database) -> None:
    assert current_revision(database) == head_revision(database)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    database = create_database(database_url)
    try:
        assert upgrade(database) == head_revision(database)
        assert upgrade(database) == head_revision(database)
        assert database.ping()
    finally:
        database.dispose()
