"""Alembic environment: runs online against the engine handed in by opsroom.store.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from opsroom.store import ops_models  # noqa: F401  (registers the tables)
from opsroom.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `opsroom db upgrade`, which supplies the engine")

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
