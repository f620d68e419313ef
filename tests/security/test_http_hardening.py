"""HTTP hardening, on a real server: security headers, nothing cached, no CDN, tokens kept out of
URLs, no SQL parameters in error logs, a private SQLite file, and metrics that are neither public
nor growable by a client.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from opsroom.store import Database, create_database, upgrade
from tests.security.conftest import METRICS_TOKEN, Live

PAGES = ["/", "/static/js/main.js", "/api/v1/me", "/no/such/page", "/health"]


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_carries_the_security_headers(live: Live, path: str) -> None:
    answer = live.get(path, "qa-viewer")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"


def test_intelligence_is_never_stored_by_a_browser_or_proxy(live: Live) -> None:
    for path in ("/api/v1/watchlist", "/api/v1/screening/alerts", "/api/v1/me"):
        answer = live.get(path, "qa-analyst")
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-store"


def test_no_page_loads_anything_from_another_origin(live: Live) -> None:
    assert live.get("/docs").status_code == 404
    assert live.get("/redoc").status_code == 404
    index = live.get("/").text
    assert "http://" not in index and "https://" not in index
    assert live.get("/openapi.json").status_code == 200


def test_a_token_in_the_url_works_only_on_the_stream(live: Live) -> None:
    token = live.token("qa-viewer")
    assert live.get(f"/api/v1/me?access_token={token}").status_code == 401
    assert live.get(f"/api/v1/venues?access_token={token}").status_code == 401
    with httpx.stream("GET", live.url(f"/api/v1/stream?access_token={token}"), timeout=30) as s:
        assert s.status_code == 200


def test_metrics_need_the_scrapers_secret_and_invented_methods_do_not_grow_them(
    live: Live,
) -> None:
    assert live.get("/metrics").status_code == 401
    for user in ("qa-operator", "qa-commander", "ma-commander"):
        assert live.get("/metrics", user).status_code == 401
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    before = live.get("/metrics", headers=scraper)
    assert before.status_code == 200
    for i in range(150):
        httpx.request(f"INVENTED{i}", live.url("/api/v1/venues"), timeout=30)
    after = live.get("/metrics", headers=scraper).text
    assert "INVENTED" not in after
    assert len(after) - len(before.text) < 5_000
    assert 'method="other"' in after


def test_database_errors_do_not_carry_statement_parameters(database_url: str) -> None:
    database = create_database(database_url)
    secret = "EL MANSOURI YOUSSEF P4471902"
    try:
        with pytest.raises(SQLAlchemyError) as raised, database.transaction() as session:
            session.execute(
                text("SELECT * FROM no_such_table WHERE name = :name"), {"name": secret}
            )
        assert secret not in str(raised.value)
        assert "hidden" in str(raised.value)
    finally:
        database.dispose()


def test_the_sqlite_file_is_readable_by_its_owner_alone(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    old_umask = os.umask(0o022)  # a permissive umask, as on many servers
    try:
        database: Database = create_database(f"sqlite:///{path}")
        upgrade(database)
        with database.transaction() as session:
            session.execute(text("SELECT 1"))
        files = [p for p in tmp_path.iterdir() if p.name.startswith("fresh.db")]
        assert path in files
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) & 0o077 == 0, (file, oct(file.stat().st_mode))
        database.dispose()
    finally:
        os.umask(old_umask)
