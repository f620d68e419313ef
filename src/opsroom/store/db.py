"""The database handle: an engine and a session factory made from one URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
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


DEFAULT_BUSY_TIMEOUT_S = 10.0
"""How long SQLite waits for another writer's lock when no lock timeout is given."""


def _create_private(path: str) -> None:
    """Make the SQLite file readable by its owner alone (0600) before SQLite opens it; its
    journal files (-wal, -shm) take the same mode from it."""
    if not path or path == ":memory:" or path.startswith("file:") or os.path.exists(path):
        return
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except FileNotFoundError:
        folder = os.path.dirname(path) or "."
        raise StorageError(
            f"cannot create the SQLite database {path}: no folder {folder}"
        ) from None
    except OSError as exc:
        raise StorageError(f"cannot create the SQLite database {path}: {exc.strerror}") from None
    os.close(descriptor)


DATABASE_NOTE = "database: "
"""How a database error is marked with the database it came from (an exception note, read by
the command line to name the database in its one-line message)."""


def _name_the_database(url: str) -> Callable[[Any], None]:
    def on_error(context: Any) -> None:
        error = context.sqlalchemy_exception
        if error is not None and not any(
            note.startswith(DATABASE_NOTE) for note in getattr(error, "__notes__", ())
        ):
            error.add_note(DATABASE_NOTE + url)

    return on_error


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # Foreign keys are off by default in SQLite; WAL lets readers work beside one writer;
        # synchronous=FULL makes every commit durable (an acknowledged write survives a crash);
        # busy_timeout is how long a writer waits for another's lock before "database is locked".
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy_timeout_s * 1000)}")
        cursor.close()

    return on_connect


def _postgres_timeouts(
    lock_timeout_s: float | None, statement_timeout_s: float | None
) -> Callable[[Any, Any], None]:
    settings = [
        (name, f"{round(seconds * 1000)}ms")
        for name, seconds in (
            ("lock_timeout", lock_timeout_s),
            ("statement_timeout", statement_timeout_s),
        )
        if seconds is not None
    ]

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Session settings, kept for the connection's life (the pool's reset is a rollback).
        with dbapi_connection.cursor() as cursor:
            for name, value in settings:
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
        dbapi_connection.commit()

    return on_connect


def create_database(
    url: str,
    *,
    echo: bool = False,
    lock_timeout_s: float | None = None,
    statement_timeout_s: float | None = None,
    **engine_options: Any,
) -> Database:
    """Open the database at ``url`` (sqlite:///FILE or postgresql+psycopg://...).

    ``lock_timeout_s`` bounds how long a statement waits for a lock (PostgreSQL ``lock_timeout``,
    SQLite ``busy_timeout``) and ``statement_timeout_s`` how long one runs (PostgreSQL only);
    past them the statement fails with an ``OperationalError``, which the API answers with a 503.
    None leaves the database's own default (SQLite: wait :data:`DEFAULT_BUSY_TIMEOUT_S`).
    Statement parameters are kept out of error messages and logs (``hide_parameters``): they are
    names, document numbers and credential ids.
    """
    engine_options.setdefault("hide_parameters", True)
    try:
        engine = create_engine(url, echo=echo, future=True, **engine_options)
    except Exception as exc:  # a malformed URL or a missing driver
        raise StorageError(f"cannot open database {url!r}: {exc}") from exc
    event.listen(engine, "handle_error", _name_the_database(engine.url.render_as_string()))
    if engine.dialect.name == "sqlite":
        _create_private(engine.url.database or "")
        busy = DEFAULT_BUSY_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
        event.listen(engine, "connect", _sqlite_pragmas(busy))
    elif engine.dialect.name == "postgresql" and (
        lock_timeout_s is not None or statement_timeout_s is not None
    ):
        event.listen(engine, "connect", _postgres_timeouts(lock_timeout_s, statement_timeout_s))
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
