"""A live stream lasts only as long as its right to exist (issue: a disabled partner analyst kept
receiving screening alerts on a stream opened before).

Against a real server: the stream closes after ``opsroom users disable``, after sign-out and after
``opsroom users password``, and an intelligence event published after the user lost their right
never reaches them. Event ids count each reader's own events, so nobody can count the others'.
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from opsroom.ops.identity import set_disabled, set_password
from tests.security.conftest import Live, backend_url, start_server

WAIT_S = 30.0
"""A safety net only: each check below returns as soon as its event has arrived."""


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """A server whose streams check their token every second (the default is 15 s)."""
    workdir = tmp_path_factory.mktemp(f"stream-{request.param}")
    with (
        backend_url(request.param, workdir) as url,
        start_server(url, workdir, {"OPSROOM_STREAM_RECHECK_SECONDS": "1"}) as live,
    ):
        yield live


class Reader:
    """One user's stream, read in a thread: every event in order, and how the stream ended."""

    def __init__(self, live: Live, token: str) -> None:
        self.events: queue.Queue[tuple[str, str, dict[str, Any]]] = queue.Queue()
        self.ended = threading.Event()
        self.connected = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(live, token), daemon=True)
        self._thread.start()
        assert self.connected.wait(WAIT_S), "the stream did not open"

    def _run(self, live: Live, token: str) -> None:
        try:
            with httpx.stream(
                "GET",
                live.url("/api/v1/stream"),
                headers={"Authorization": f"Bearer {token}"},
                timeout=httpx.Timeout(WAIT_S * 4, connect=WAIT_S),
            ) as response:
                assert response.status_code == 200
                self.connected.set()
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line == "":
                        if "event" in fields:
                            data = json.loads(fields.get("data", "{}"))
                            self.events.put((fields.get("id", ""), fields["event"], data))
                        fields = {}
                    elif not line.startswith(":") and ":" in line:
                        key, _, value = line.partition(":")
                        fields[key] = value.strip()
        except httpx.HTTPError:
            pass
        finally:
            self.connected.set()
            self.ended.set()

    def next_event(self) -> tuple[str, str, dict[str, Any]]:
        return self.events.get(timeout=WAIT_S)

    def until(self, kind: str) -> tuple[list[tuple[str, str, dict[str, Any]]], dict[str, Any]]:
        """The events before the first of ``kind``, and that one's data."""
        before = []
        while True:
            event = self.next_event()
            if event[1] == kind:
                return before, event[2]
            before.append(event)


def new_user(live: Live, agency: str, role: str) -> str:
    return live.new_user(agency, role)


def disable(live: Live, username: str) -> None:
    """What ``opsroom users disable`` does, on the server's database."""
    with live.database.transaction() as session:
        set_disabled(session, username, True)


def host_entry_shared_with_partner(live: Live) -> str:
    """A QA-MOI entry shared with MA-DGSN; returns the name to screen."""
    name = f"Youssef Ahmed El Mansouri {uuid.uuid4().hex[:4]}"
    response = live.post(
        "/api/v1/watchlist",
        "qa-analyst",
        json={
            "entries": [
                {
                    "id": f"E-{uuid.uuid4().hex[:8]}",
                    "name": name,
                    "shared_with": ["MA-DGSN"],
                    "tlp": "amber",
                }
            ]
        },
    )
    assert response.status_code == 201, response.text
    return name


def screen(live: Live, name: str) -> None:
    response = live.post(
        "/api/v1/screening/runs",
        "qa-analyst",
        json={"people": [{"id": f"P-{uuid.uuid4().hex[:8]}", "name": name}]},
    )
    assert response.status_code == 201, response.text
    assert response.json()["alerts"], "the screened name should match its entry"


def test_a_disabled_partner_analyst_gets_no_more_alerts_and_the_stream_closes(
    server: Live,
) -> None:
    name = host_entry_shared_with_partner(server)
    partner = new_user(server, "MA-DGSN", "analyst")
    reader = Reader(server, server.token(partner))
    screen(server, name)
    reader.until("screening_alert")  # the stream works while the user is enabled
    disable(server, partner)
    screen(server, name)
    before, closed = reader.until("closed")
    assert [kind for _, kind, _ in before if kind == "screening_alert"] == []
    assert closed["reason"] == "user disabled"
    assert reader.ended.wait(WAIT_S)


def test_signing_out_closes_the_stream_opened_with_the_token(server: Live) -> None:
    user = new_user(server, "QA-MOI", "viewer")
    token = server.token(user)
    reader = Reader(server, token)
    response = httpx.post(
        server.url("/api/v1/auth/logout"), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 204
    _, closed = reader.until("closed")  # no event needed: the periodic check finds it
    assert closed["reason"] == "token revoked"
    assert reader.ended.wait(WAIT_S)


def test_a_new_password_revokes_every_token_and_closes_their_streams(server: Live) -> None:
    user = new_user(server, "MA-DGSN", "analyst")
    first, second = server.token(user, fresh=True), server.token(user, fresh=True)
    readers = [Reader(server, first), Reader(server, second)]
    with server.database.transaction() as session:  # what `opsroom users password` does
        set_password(session, user, "a brand new passphrase")
    for reader in readers:
        _, closed = reader.until("closed")
        assert closed["reason"] == "token revoked"
    me = httpx.get(server.url("/api/v1/me"), headers={"Authorization": f"Bearer {first}"})
    assert me.status_code == 401
    signed_in = httpx.post(
        server.url("/api/v1/auth/token"),
        data={"username": user, "password": "a brand new passphrase"},
    )
    assert signed_in.status_code == 200


def test_event_ids_count_each_readers_own_events(server: Live) -> None:
    """The partner's ids are 1, 2, 3... over what it was sent, with no gap where the host's
    unshared alert went by."""
    host = Reader(server, server.token(new_user(server, "QA-MOI", "analyst")))
    partner = Reader(server, server.token(new_user(server, "MA-DGSN", "commander")))
    unshared = f"Karim Benali Haddad {uuid.uuid4().hex[:4]}"
    response = server.post(
        "/api/v1/watchlist",
        "qa-analyst",
        json={"entries": [{"id": f"E-{uuid.uuid4().hex[:8]}", "name": unshared, "tlp": "red"}]},
    )
    assert response.status_code == 201, response.text
    for _ in range(2):
        incident = server.post(
            "/api/v1/incidents",
            "qa-commander",
            json={"type": "medical", "priority": 3, "description": "test", "venue_id": "lusail"},
        )
        assert incident.status_code == 201, incident.text
        screen(server, unshared)
    host_ids = [host.next_event() for _ in range(4)]
    partner_ids = [partner.next_event() for _ in range(2)]
    assert [kind for _, kind, _ in partner_ids] == ["incident", "incident"]
    assert [event_id for event_id, _, _ in partner_ids] == ["1", "2"]
    assert [event_id for event_id, _, _ in host_ids] == ["1", "2", "3", "4"]
