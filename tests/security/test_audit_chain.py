"""The audit log is tamper-evident: an insider with the database edits it, ``opsroom audit verify``
says where.

The tampering runs as the tables' owner with the append-only triggers out of the way (dropped on
SQLite, disabled on PostgreSQL), as someone holding the database file or the owner's password
would do it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.ops import audit
from opsroom.store import Database, create_database, upgrade
from opsroom.store.ops_models import AuditEntryRow
from tests.conftest import POSTGRES_URL
from tests.security.conftest import Live, backend_url, start_server

ROWS = 6
THREADS = 4
PER_THREAD = 15


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2022, 12, 18, 12, 0, 0, 123456, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _record(database: Database, count: int, *, clock: _Clock | None = None) -> None:
    tick = clock or _Clock()
    for index in range(count):
        with database.transaction() as session:
            audit.record_event(
                session,
                username=f"user-{index}",
                agency_id="QA-MOI",
                role="analyst",
                action="read",
                object_type="screening_alert",
                object_id=f"alert-{index}",
                client="10.0.0.7",
                reason=f"gate check {index} ✓",
                clock=tick,
            )


@pytest.fixture
def log(database: Database) -> Database:
    """A database holding a clean chain of ROWS entries."""
    _record(database, ROWS)
    return database


def _verify(database: Database, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["audit", "verify", *args], env={"OPSROOM_DATABASE_URL": database.url}
    )
    return result.exit_code, result.output


def _head(database: Database) -> str:
    result = CliRunner().invoke(app, ["audit", "head"], env={"OPSROOM_DATABASE_URL": database.url})
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _tamper(database: Database, *statements: str) -> None:
    """Run ``statements`` with the triggers of audit_log and audit_head out of the way."""
    with database.transaction() as session:
        if database.engine.dialect.name == "postgresql":
            for table in ("audit_log", "audit_head"):
                session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            names = session.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            ).scalars()
            for name in list(names):
                session.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            session.execute(text(statement))
        if database.engine.dialect.name == "postgresql":
            for table in ("audit_log", "audit_head"):
                session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))


def _id_of(database: Database, seq: int) -> int:
    with database.transaction() as session:
        row_id: int = session.execute(
            text("SELECT id FROM audit_log WHERE seq = :seq"), {"seq": seq}
        ).scalar_one()
        return row_id


def test_a_clean_log_verifies(log: Database) -> None:
    code, output = _verify(log)
    assert code == 0, output
    assert f"{ROWS} rows" in output
    head = _head(log)
    assert head.startswith(f"{ROWS}:")
    assert _verify(log, "--expect-head", head)[0] == 0


def test_a_changed_field_is_found(log: Database) -> None:
    row_id = _id_of(log, 3)
    _tamper(log, f"UPDATE audit_log SET reason = 'nothing to see' WHERE id = {row_id}")
    code, output = _verify(log)
    assert code == 1 and f"audit row id {row_id} (seq 3)" in output and "changed" in output


def test_a_changed_time_is_found(log: Database) -> None:
    row_id = _id_of(log, 2)
    _tamper(
        log,
        f"UPDATE audit_log SET at = (SELECT at FROM audit_log WHERE seq = 1) WHERE id = {row_id}",
    )
    code, output = _verify(log)
    assert code == 1 and f"audit row id {row_id} (seq 2)" in output


def test_a_deleted_row_is_found(log: Database) -> None:
    deleted, following = _id_of(log, 3), _id_of(log, 4)
    _tamper(log, f"DELETE FROM audit_log WHERE id = {deleted}")
    code, output = _verify(log)
    assert code == 1 and f"audit row id {following} (seq 4)" in output


def test_a_deleted_row_with_its_successors_rehashed_is_still_found(log: Database) -> None:
    """Renumbering and rehashing everything after the gap gives a new chain: the old head tells."""
    before = _head(log)
    fields = ("at", "username", "agency_id", "role", "action", "object_type", "object_id")
    with log.transaction() as session:
        kept = list(
            session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.seq != 3).order_by(AuditEntryRow.id)
            )
        )
        contents = [
            {name: getattr(r, name) for name in (*fields, "client", "reason")} for r in kept
        ]
    relinked = list(audit.chain(contents))
    statements = ["DELETE FROM audit_log WHERE seq = 3"]
    for row in kept:
        statements.append(f"UPDATE audit_log SET seq = -seq WHERE id = {row.id}")
    for row, link in zip(kept, relinked, strict=True):
        statements.append(
            f"UPDATE audit_log SET seq = {link['seq']}, prev_hash = '{link['prev_hash']}', "
            f"hash = '{link['hash']}' WHERE id = {row.id}"
        )
    last = relinked[-1]
    statements.append(f"UPDATE audit_head SET seq = {last['seq']}, hash = '{last['hash']}'")
    _tamper(log, *statements)
    assert _verify(log)[0] == 0  # a consistent rewrite: only an anchor kept elsewhere shows it
    code, output = _verify(log, "--expect-head", before)
    assert code == 1 and "expected head" in output


def test_swapped_rows_are_found(log: Database) -> None:
    first, second = _id_of(log, 2), _id_of(log, 3)
    columns = (
        "seq, at, username, agency_id, role, action, object_type, object_id, client, reason, "
        "prev_hash, hash"
    )
    _tamper(
        log,
        f"CREATE TABLE swap AS SELECT id, {columns} FROM audit_log WHERE id IN ({first}, {second})",
        f"UPDATE audit_log SET seq = -seq WHERE id IN ({first}, {second})",
        *(
            f"UPDATE audit_log SET ({columns}) = (SELECT {columns} FROM swap WHERE id = {other}) "
            f"WHERE id = {target}"
            for target, other in ((first, second), (second, first))
        ),
        "DROP TABLE swap",
    )
    code, output = _verify(log)
    assert code == 1 and f"audit row id {first} (seq 3)" in output


def test_a_truncated_tail_is_found(log: Database) -> None:
    anchor = _head(log)
    _tamper(log, "DELETE FROM audit_log WHERE seq > 4")
    code, output = _verify(log)
    assert code == 1 and "audit_head" in output
    # the head table put back in step too: the anchor printed before still tells
    with log.transaction() as session:
        last = session.execute(text("SELECT hash FROM audit_log WHERE seq = 4")).scalar_one()
    _tamper(log, f"UPDATE audit_head SET seq = 4, hash = '{last}'")
    assert _verify(log)[0] == 0
    code, output = _verify(log, "--expect-head", anchor)
    assert code == 1 and "removed at the tail" in output


def test_a_bad_expected_head_is_refused_naming_the_option(log: Database) -> None:
    code, output = _verify(log, "--expect-head", "six:abc")
    assert code == 2 and "--expect-head" in output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_insert_or_replace_cannot_rewrite_a_row_on_sqlite(log: Database) -> None:
    row_id = _id_of(log, 2)
    with pytest.raises(DBAPIError, match="append-only"), log.transaction() as session:
        session.execute(
            text(
                "INSERT OR REPLACE INTO audit_log (id, seq, at, username, agency_id, role, "
                "action, object_type, object_id, client, reason, prev_hash, hash) "
                f"SELECT id, seq, at, 'nobody', agency_id, role, action, object_type, "
                f"object_id, client, reason, prev_hash, hash FROM audit_log WHERE id = {row_id}"
            )
        )
    assert _verify(log)[0] == 0
    # with the trigger dropped the row can be replaced, and verify finds it
    _tamper(
        log,
        "INSERT OR REPLACE INTO audit_log (id, seq, at, username, agency_id, role, "
        "action, object_type, object_id, client, reason, prev_hash, hash) "
        f"SELECT id, seq, at, 'nobody', agency_id, role, action, object_type, "
        f"object_id, client, reason, prev_hash, hash FROM audit_log WHERE id = {row_id}",
    )
    code, output = _verify(log)
    assert code == 1 and f"audit row id {row_id} (seq 2)" in output


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_truncate_is_refused_on_postgresql(log: Database) -> None:
    with pytest.raises(DBAPIError, match="append-only"), log.transaction() as session:
        session.execute(text("TRUNCATE audit_log"))
    assert _verify(log)[0] == 0


def test_concurrent_writers_keep_one_chain(log: Database) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def write() -> None:
        try:
            start.wait()
            _record(log, PER_THREAD)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    code, output = _verify(log)
    assert code == 0, output
    assert f"{ROWS + THREADS * PER_THREAD} rows" in output


def test_the_migration_chains_existing_rows(database_url: str) -> None:
    database = create_database(database_url)
    try:
        upgrade(database, "0003")
        with database.transaction() as session:
            for index in range(3):
                session.execute(
                    text(
                        "INSERT INTO audit_log (at, username, agency_id, role, action, "
                        "object_type, object_id, client, reason) VALUES (:at, 'qa-analyst', "
                        "'QA-MOI', 'analyst', 'read', 'watchlist_entry', :object, "
                        "'127.0.0.1', '')"
                    ),
                    {
                        "at": datetime(2022, 12, 18, 12, index, tzinfo=UTC)
                        if database.engine.dialect.name == "postgresql"
                        else f"2022-12-18 12:0{index}:00.000000",
                        "object": f"QA-{index}",
                    },
                )
        upgrade(database)
        _record(database, 2)
        code, output = _verify(database)
        assert code == 0 and "5 rows" in output, output
    finally:
        database.dispose()


@pytest.fixture
def app_role(log: Database) -> Iterator[str]:
    """A PostgreSQL role for the server that does not own the tables (dropped afterwards)."""
    assert POSTGRES_URL is not None
    role = f"opsroom_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(log.url)
    with owner.begin() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        connection.execute(text(f'GRANT USAGE ON SCHEMA "{schema}" TO {role}'))
        connection.execute(text(f"GRANT SELECT, INSERT ON audit_log TO {role}"))
        connection.execute(text(f"GRANT SELECT, UPDATE ON audit_head TO {role}"))
        connection.execute(text(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {role}"))
    try:
        yield log.url.replace("postgres@", f"{role}@", 1)
    finally:
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_role_that_does_not_own_the_log_can_only_append(log: Database, app_role: str) -> None:
    server = create_database(app_role)
    try:
        _record(server, 2)
        for statement in (
            "TRUNCATE audit_log",
            "ALTER TABLE audit_log DISABLE TRIGGER USER",
            "UPDATE audit_log SET reason = 'x'",
            "DELETE FROM audit_log",
            "UPDATE audit_head SET seq = 0",
            "DELETE FROM audit_head",
        ):
            with pytest.raises(DBAPIError), server.transaction() as session:
                session.execute(text(statement))
    finally:
        server.dispose()
    code, output = _verify(log)
    assert code == 0 and f"{ROWS + 2} rows" in output, output


def _client_recorded(live: Live, headers: dict[str, str]) -> str:
    entry_id = f"XFF-{uuid.uuid4().hex[:8]}"
    added = httpx.post(
        live.url("/api/v1/watchlist"),
        headers=live.headers("qa-analyst") | headers,
        json={"entries": [{"id": entry_id, "name": "Nadir Belkacem", "tlp": "red"}]},
        timeout=30,
    )
    assert added.status_code == 201, added.text
    with live.database.transaction() as session:
        client: str = session.execute(
            select(AuditEntryRow.client).where(AuditEntryRow.object_id == entry_id)
        ).scalar_one()
    return client


def test_the_client_address_comes_from_the_socket(live: Live) -> None:
    """A forged X-Forwarded-For does not put someone else's address in the audit log."""
    assert _client_recorded(live, {"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"


def test_a_configured_trusted_proxy_sets_the_client_address(backend: str, tmp_path: Path) -> None:
    with (
        backend_url(backend, tmp_path) as url,
        start_server(url, tmp_path, {"OPSROOM_TRUSTED_PROXIES": "127.0.0.1"}) as proxied,
    ):
        assert _client_recorded(proxied, {"X-Forwarded-For": "203.0.113.9"}) == "203.0.113.9"
