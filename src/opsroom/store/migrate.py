"""Apply the Alembic migrations from Python (``opsroom db upgrade`` and the server's start-up)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from opsroom.store.db import Database


def alembic_config(database: Database) -> Config:
    """An Alembic configuration bound to ``database``; no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("opsroom.store") / "migrations"))
    config.attributes["engine"] = database.engine
    return config


def upgrade(database: Database, revision: str = "head") -> str | None:
    """Bring the schema up to ``revision`` (default: the newest). Returns the revision reached."""
    command.upgrade(alembic_config(database), revision)
    return current_revision(database)


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(database: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database)).get_current_head()
