"""The database handle: an engine and a session factory made from one URL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from opsroom.errors import StorageError


@dataclass(frozen=True)
class Database:
    """An engine and its session factory. Make one per process with :func:`create_database`."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back whole."""
        with self.sessions.begin() as session:
            yield session

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            return True
        except OperationalError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers work beside one writer;
    # synchronous=FULL makes every commit durable (an acknowledged write survives a crash).
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_private(path: str) -> None:
    """Make the SQLite file readable by its owner alone (0600) before SQLite opens it; its
    journal files (-wal, -shm) take the same mode from it."""
    if not path or path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a missing folder: SQLite's own error names it when it connects
    os.close(descriptor)


def create_database(url: str, *, echo: bool = False, **engine_options: Any) -> Database:
    """Open the database at ``url`` (sqlite:///FILE or postgresql+psycopg://...).

    Statement parameters are kept out of error messages and logs (``hide_parameters``): they are
    names, document numbers and credential ids.
    """
    engine_options.setdefault("hide_parameters", True)
    try:
        engine = create_engine(url, echo=echo, future=True, **engine_options)
    except Exception as exc:  # a malformed URL or a missing driver
        raise StorageError(f"cannot open database {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        _create_private(engine.url.database or "")
        event.listen(engine, "connect", _sqlite_pragmas)
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
