"""What a careless client or a failing database causes is a 4xx or a 503, never a 500.

Each request here once made the real server answer 500 (most of them on PostgreSQL only): a null
unit status, duplicate ids in one watchlist batch, strings longer than their column, a NUL in the
path, query or sign-in form, two overlapping scan batches in opposite orders (a deadlock), a lost
database, and a locked table (which also kept a request waiting for 20 s).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, make_url, text

from opsroom.api.schemas import (
    DecisionIn,
    IncidentIn,
    IncidentPatch,
    PersonIn,
    ScanIn,
    UnitIn,
    WatchlistEntryIn,
)
from opsroom.store import create_database
from opsroom.store.ops_models import (
    GateScanRow,
    IncidentEventRow,
    IncidentRow,
    ScreeningAlertRow,
    UnitRow,
    WatchlistEntryRow,
)
from tests.api.conftest import PASSWORD
from tests.conftest import POSTGRES_URL
from tests.security.conftest import Live, backend_url, postgres_schema_url, start_server

LONG = "x" * 65
"""One character more than the narrowest text columns (String(64)) hold."""


# --- Input a client can get wrong ----------------------------------------------------------------


def test_a_null_unit_status_is_refused(live: Live) -> None:
    unit = {"id": "NSE-U1", "name": "Patrol 1", "kind": "patrol"}
    assert live.post("/api/v1/units", "qa-operator", json=unit).status_code == 201
    response = live.patch("/api/v1/units/NSE-U1", "qa-operator", json={"status": None})
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == ["status"]
    kept = live.patch("/api/v1/units/NSE-U1", "qa-operator", json={"lat": 25.42})
    assert kept.status_code == 200 and kept.json()["status"] == "available"


def test_duplicate_ids_in_one_watchlist_batch_are_refused_by_index(live: Live) -> None:
    entries = [
        {"id": "NSE-W1", "name": "Youssef Ahmed"},
        {"id": "NSE-W2", "name": "Khaled Qasim"},
        {"id": "NSE-W1", "name": "Jamal Cherif"},
    ]
    response = live.post("/api/v1/watchlist", "qa-analyst", json={"entries": entries})
    assert response.status_code == 422, response.text
    [problem] = response.json()["problems"]
    assert problem["field"] == "entries"
    assert "entries 0 and 2" in problem["message"]


@pytest.mark.parametrize(
    ("path", "username", "body", "field"),
    [
        ("/api/v1/incidents", "qa-operator", {"type": LONG, "priority": 2}, "type"),
        (
            "/api/v1/incidents",
            "qa-operator",
            {"type": "medical", "priority": 2, "required_capability": LONG},
            "required_capability",
        ),
        (
            "/api/v1/watchlist",
            "qa-analyst",
            {"entries": [{"id": "NSE-L1", "name": "Anna Lindqvist", "doc_number": LONG}]},
            "entries.0.doc_number",
        ),
        (
            "/api/v1/screening/runs",
            "qa-analyst",
            {"people": [{"id": "NSE-P1", "name": "Anna Lindqvist", "doc_number": LONG}]},
            "people.0.doc_number",
        ),
        (
            "/api/v1/units",
            "qa-operator",
            {"id": "NSE-L2", "name": "Team", "kind": "patrol", "capabilities": [LONG]},
            "capabilities.0",
        ),
    ],
)
def test_a_string_longer_than_its_column_is_refused(
    live: Live, path: str, username: str, body: dict[str, Any], field: str
) -> None:
    response = live.post(path, username, json=body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["problems"]] == [field]


def test_a_string_as_long_as_its_column_is_stored(live: Live) -> None:
    body = {"type": "t" * 64, "priority": 3, "venue_id": "lusail", "required_capability": "c" * 64}
    response = live.post("/api/v1/incidents", "qa-operator", json=body)
    assert response.status_code == 201, response.text


# Every string field of a request body that is stored, and the column that stores it.
STORED_FIELDS = [
    (ScanIn, "scan_id", GateScanRow.scan_id),
    (ScanIn, "venue_id", GateScanRow.venue_id),
    (ScanIn, "gate_id", GateScanRow.gate_id),
    (ScanIn, "credential_id", GateScanRow.credential_id),
    (UnitIn, "id", UnitRow.id),
    (UnitIn, "name", UnitRow.name),
    (UnitIn, "agency_id", UnitRow.agency_id),
    (UnitIn, "venue_id", UnitRow.venue_id),
    (UnitIn, "node_id", UnitRow.node_id),
    (IncidentIn, "type", IncidentRow.type),
    (IncidentIn, "venue_id", IncidentRow.venue_id),
    (IncidentIn, "gate_id", IncidentRow.gate_id),
    (IncidentIn, "required_capability", IncidentRow.required_capability),
    (IncidentIn, "description", IncidentRow.description),
    (IncidentPatch, "note", IncidentEventRow.note),
    (WatchlistEntryIn, "id", WatchlistEntryRow.id),
    (WatchlistEntryIn, "name", WatchlistEntryRow.name),
    (WatchlistEntryIn, "birth_date", WatchlistEntryRow.birth_date),
    (WatchlistEntryIn, "nationality", WatchlistEntryRow.nationality),
    (WatchlistEntryIn, "doc_number", WatchlistEntryRow.doc_number),
    (PersonIn, "id", ScreeningAlertRow.person_id),
    (PersonIn, "name", ScreeningAlertRow.person_name),
    (DecisionIn, "reason", ScreeningAlertRow.decision_reason),
]


def _max_length(schema: dict[str, Any]) -> int | None:
    """The longest string a JSON schema property admits (``None``: unbounded)."""
    if "maxLength" in schema:
        return int(schema["maxLength"])
    lengths = [_max_length(s) for s in schema.get("anyOf", []) if s.get("type") == "string"]
    return lengths[0] if lengths else None


@pytest.mark.parametrize(
    ("model", "name", "column"),
    STORED_FIELDS,
    ids=[f"{m.__name__}.{n}" for m, n, _ in STORED_FIELDS],
)
def test_no_request_field_is_longer_than_its_column(model: Any, name: str, column: Any) -> None:
    schema = model.model_json_schema()["properties"][name]
    allowed = _max_length(schema)
    holds = getattr(column.type, "length", None)
    if holds is not None:
        assert allowed is not None and allowed <= holds, (model.__name__, name, allowed, holds)


# --- NUL characters ------------------------------------------------------------------------------


def test_a_nul_in_the_query_string_is_refused(live: Live) -> None:
    response = live.get("/api/v1/watchlist?reason=a%00b", "qa-analyst")
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "query.reason"
    response = live.get("/api/v1/audit?object_type=%00", "qa-commander")
    assert response.status_code == 422, response.text


def test_a_nul_in_the_path_is_refused(live: Live) -> None:
    response = live.patch("/api/v1/units/NSE%00U1", "qa-operator", json={"lat": 25.0})
    assert response.status_code == 422, response.text
    assert response.json()["problems"][0]["field"] == "path"


@pytest.mark.parametrize("username", ["qa-analyst%00", "qa%00analyst"])
def test_a_nul_in_the_sign_in_form_is_refused(live: Live, username: str) -> None:
    response = httpx.post(
        live.url("/api/v1/auth/token"),
        content=f"username={username}&password={PASSWORD.replace(' ', '+')}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert response.status_code == 422, response.text


def test_a_nul_in_a_multipart_sign_in_form_is_refused(live: Live) -> None:
    response = httpx.post(
        live.url("/api/v1/auth/token"),
        files={"username": (None, "qa-analyst\x00"), "password": (None, PASSWORD)},
        timeout=30,
    )
    assert response.status_code == 422, response.text


def test_a_form_that_could_smuggle_a_nul_past_the_guard_is_refused(live: Live) -> None:
    """Two Content-Types (parsers disagree on which counts) and a multipart charset that spells
    a NUL without a NUL byte (UTF-7's ``+AAA-``)."""
    body = f"username=qa-analyst&password={PASSWORD.replace(' ', '+')}"
    doubled = httpx.post(
        live.url("/api/v1/auth/token"),
        content=body,
        headers=[
            ("Content-Type", "application/json"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        timeout=30,
    )
    assert doubled.status_code == 422, doubled.text
    boundary = "b0undary"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in (("username", "qa-analyst+AAA-"), ("password", PASSWORD))
    )
    utf7 = httpx.post(
        live.url("/api/v1/auth/token"),
        content=f"{parts}--{boundary}--\r\n",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}; charset=utf-7"},
        timeout=30,
    )
    assert utf7.status_code == 422, utf7.text


def test_the_sign_in_form_still_works(live: Live) -> None:
    response = httpx.post(
        live.url("/api/v1/auth/token"),
        data={"username": "qa-analyst", "password": PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text


# --- Concurrency ---------------------------------------------------------------------------------


IN_PLAY = datetime(2022, 12, 18, 12, 0, tzinfo=UTC)
"""A time inside the tournament (scans outside it are rejected one by one)."""


def _scans(ids: list[str], at: datetime) -> dict[str, Any]:
    return {
        "scans": [
            {
                "scan_id": scan_id,
                "venue_id": "lusail",
                "gate_id": f"lusail-g{1 + k % 2}",
                "credential_id": f"TKT-{scan_id}",
                "direction": "in",
                "scanned_at": at.isoformat(),
            }
            for k, scan_id in enumerate(ids)
        ]
    }


def test_overlapping_scan_batches_in_opposite_orders_never_fail(live: Live) -> None:
    headers = live.headers("qa-gate")
    at = IN_PLAY
    statuses: list[int] = []
    accepted: list[int] = []
    with httpx.Client(timeout=60) as client, ThreadPoolExecutor(max_workers=2) as pool:
        for round_ in range(8):
            ids = [f"nse-{round_}-{k:04d}" for k in range(400)]
            batches = [_scans(ids, at), _scans(ids[::-1], at)]
            answers = pool.map(
                lambda batch: client.post(
                    live.url("/api/v1/gate-scans"), json=batch, headers=headers
                ),
                batches,
            )
            for answer in answers:
                statuses.append(answer.status_code)
                accepted.append(answer.json().get("accepted", 0))
    assert statuses == [200] * 16, statuses
    assert sum(accepted) == 8 * 400, "each round's 400 scans are stored once"


# --- A database that is gone or locked -----------------------------------------------------------


class Proxy:
    """A TCP relay to PostgreSQL that the test can cut, as a failed database server would."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while self.open:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Refuse new connections and break the open ones."""
        self.open = False
        with suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        for end in self.sockets:
            with suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


needs_postgres = pytest.mark.skipif(POSTGRES_URL is None, reason="needs OPSROOM_TEST_POSTGRES_URL")


@needs_postgres
def test_a_lost_database_gives_503_with_retry_after(tmp_path: Path) -> None:
    with postgres_schema_url() as url:
        parsed = make_url(url)
        proxy = Proxy((parsed.host or "127.0.0.1", parsed.port or 5432))
        through = parsed.set(host="127.0.0.1", port=proxy.port)
        with start_server(through.render_as_string(hide_password=False), tmp_path) as server:
            headers = server.headers("qa-operator")
            assert httpx.get(server.url("/api/v1/units"), headers=headers).status_code == 200
            proxy.cut()
            for path in ("/api/v1/units", "/api/v1/me", "/api/v1/units"):
                response = httpx.get(server.url(path), headers=headers, timeout=60)
                assert response.status_code == 503, response.text
                assert int(response.headers["Retry-After"]) > 0
                assert response.json()["error"] == "storage_unavailable"
            assert '"status": 500' not in server.logs()


@contextmanager
def _locked(backend: str, url: str) -> Iterator[None]:
    """Hold the lock a long transaction or an administrator would: users table, or the file."""
    if backend == "sqlite":
        connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        connection.execute(text("LOCK TABLE users IN ACCESS EXCLUSIVE MODE"))
        try:
            yield
        finally:
            transaction.rollback()
    engine.dispose()


def test_a_locked_table_gives_503_within_the_lock_timeout(backend: str, tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_LOCK_TIMEOUT_S": "1"}
    with backend_url(backend, tmp_path) as url, start_server(url, tmp_path, env) as server:
        headers = server.headers("qa-gate")
        batch = _scans([f"lock-{k}" for k in range(3)], IN_PLAY)
        with _locked(backend, url):
            # PostgreSQL: reading the caller's account waits for the lock; SQLite lets readers
            # through (WAL), so there a write waits for the file's lock.
            if backend == "postgresql":
                response = httpx.get(server.url("/api/v1/me"), headers=headers, timeout=60)
            else:
                response = httpx.post(
                    server.url("/api/v1/gate-scans"), json=batch, headers=headers, timeout=60
                )
            assert response.status_code == 503, response.text
            assert int(response.headers["Retry-After"]) > 0
        after = httpx.get(server.url("/api/v1/me"), headers=headers, timeout=60)
        assert after.status_code == 200, after.text


def test_the_timeouts_are_set_on_every_connection(backend: str, tmp_path: Path) -> None:
    with backend_url(backend, tmp_path) as url:
        database = create_database(url, lock_timeout_s=5, statement_timeout_s=30)
        try:
            with database.engine.connect() as connection:
                if backend == "sqlite":
                    busy = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                    assert busy == 5000
                else:
                    shown = [
                        connection.exec_driver_sql(f"SHOW {name}").scalar()
                        for name in ("lock_timeout", "statement_timeout")
                    ]
                    assert shown == ["5s", "30s"]
        finally:
            database.dispose()
