"""Storage: SQLAlchemy 2 models, Alembic migrations, and repositories over them.

The same migrations serve SQLite (the zero-set-up default) and PostgreSQL (production and CI).
"""

from opsroom.store import ops_models  # noqa: F401  (registers the operations tables)
from opsroom.store.db import Database, create_database
from opsroom.store.migrate import current_revision, head_revision, upgrade

__all__ = ["Database", "create_database", "current_revision", "head_revision", "upgrade"]
