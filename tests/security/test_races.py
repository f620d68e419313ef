"""Races an attacker or a busy room would run: parallel password guesses against one account,
two agencies' analysts adding the same id at once, and the audit log checked while it grows.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from opsroom.ops import audit
from opsroom.store import Database
from tests.api.conftest import PASSWORD
from tests.security.conftest import Live


def test_parallel_guesses_share_one_count(live: Live) -> None:
    """30 wrong guesses sent at once: each is counted before its password is checked, so no more
    are checked than the free failures allow (5, and the one that starts the wait)."""
    username = live.new_user("MA-DGSN", "analyst")
    barrier = threading.Barrier(30)

    def guess(index: int) -> int:
        barrier.wait()
        return httpx.post(
            live.url("/api/v1/auth/token"),
            data={"username": username, "password": f"guess {index}"},
            timeout=120,
        ).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(guess, range(30)))
    assert statuses.count(401) <= 6, statuses
    assert set(statuses) <= {401, 429}
    right = httpx.post(
        live.url("/api/v1/auth/token"), data={"username": username, "password": PASSWORD}
    )
    assert right.status_code == 429


def test_one_id_added_twice_at_once_stores_one_entry_and_never_fails(live: Live) -> None:
    for _ in range(6):
        entry_id = f"RACE-{uuid.uuid4().hex[:8]}"
        barrier = threading.Barrier(2)

        def add(
            username: str, entry_id: str = entry_id, barrier: threading.Barrier = barrier
        ) -> int:
            barrier.wait()
            body = {"entries": [{"id": entry_id, "name": "Omar Benjelloun", "tlp": "amber"}]}
            return live.post("/api/v1/watchlist", username, json=body).status_code

        live.token("qa-analyst"), live.token("qa-commander")  # signed in before the race
        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = sorted(pool.map(add, ["qa-analyst", "qa-commander"]))
        assert statuses[0] == 201 and statuses[1] in (409, 422), statuses


def test_the_audit_chain_verifies_while_it_grows(database: Database) -> None:
    """A check that runs beside writers judges the rows up to the head it read, and never
    mistakes a row appended meanwhile for tampering."""
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(60):
                with database.transaction() as session:
                    audit.record_event(
                        session,
                        username="writer",
                        agency_id="QA-MOI",
                        role="analyst",
                        action="read",
                        object_type="screening_alert",
                        object_id="x",
                        client="127.0.0.1",
                    )
        except BaseException as exc:  # a writer's failure fails the test
            errors.append(exc)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for writer in writers:
        writer.start()
    verdicts = []
    while any(writer.is_alive() for writer in writers):
        with database.transaction() as session:
            verdicts.append(audit.verify_chain(session))
    for writer in writers:
        writer.join()
    assert errors == []
    assert verdicts and all(v.ok for v in verdicts), [v.problem for v in verdicts if not v.ok]
    with database.transaction() as session:
        final = audit.verify_chain(session)
    assert final.ok and final.rows == 120
