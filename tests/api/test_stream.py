"""The live stream on a real server: events arrive, filtered by what each user may see."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from tests.api.conftest import PASSWORD, Api

WAIT_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(api: Api) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(api.app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert instance.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    instance.force_exit = True  # open event streams do not hold the shutdown up
    thread.join(WAIT_S)


class Listener:
    """Reads one user's stream in a thread and keeps the events it sees."""

    def __init__(self, base: str, username: str) -> None:
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
        ).json()["access_token"]
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(base, token), daemon=True)
        self._thread.start()
        assert self.connected.wait(WAIT_S), f"{username} could not connect"

    def _run(self, base: str, token: str) -> None:
        try:
            self._read(base, token)
        except httpx.HTTPError:
            if not self._stop.is_set():  # the server going away at the end is expected
                raise

    def _read(self, base: str, token: str) -> None:
        with httpx.stream(
            "GET", f"{base}/api/v1/stream", params={"access_token": token}, timeout=WAIT_S
        ) as response:
            kind = ""
            for line in response.iter_lines():
                if line.startswith(": connected"):
                    self.connected.set()
                elif line.startswith("event: "):
                    kind = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    self.events.append((kind, json.loads(line.removeprefix("data: "))))
                if self._stop.is_set():
                    return

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.events]

    def wait_for(self, kind: str) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for seen, data in self.events:
                if seen == kind:
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {kind} event; saw {self.kinds()}")

    def close(self) -> None:
        self._stop.set()


def test_events_reach_only_those_allowed(api: Api, server: str) -> None:
    viewer = Listener(server, "qa-viewer")
    qa_analyst = Listener(server, "qa-analyst")
    tr_analyst = Listener(server, "tr-analyst")
    operator = {"Authorization": f"Bearer {api.token('qa-operator')}"}
    incident = httpx.post(
        f"{server}/api/v1/incidents",
        json={"type": "fight", "priority": 2, "venue_id": "khalifa"},
        headers=operator,
    ).json()
    assert viewer.wait_for("incident")["id"] == incident["id"]
    analyst = {"Authorization": f"Bearer {api.token('qa-analyst')}"}
    entry = {
        "id": "QA-9",
        "name": "محمد بن علي الحسني",
        "aliases": ["Mohamed Ben Ali El Hassani"],
        "tlp": "amber",
        "shared_with": ["MA-DGSN"],
    }
    httpx.post(f"{server}/api/v1/watchlist", json={"entries": [entry]}, headers=analyst)
    httpx.post(
        f"{server}/api/v1/screening/runs",
        json={"people": [{"id": "p1", "name": "Mohammed bin Ali Al-Hasani"}]},
        headers=analyst,
    )
    assert qa_analyst.wait_for("screening_alert")["entry_id"] == "QA-9"
    scans = {
        "scans": [
            {
                "scan_id": "k1",
                "venue_id": "khalifa",
                "gate_id": "khalifa-g1",
                "credential_id": "c1",
                "direction": "in",
                "scanned_at": "2022-12-18T14:00:00+03:00",
            }
        ]
    }
    httpx.post(f"{server}/api/v1/gate-scans", json=scans, headers=operator)
    assert viewer.wait_for("gate_flow")["venue_id"] == "khalifa"
    time.sleep(0.3)  # let anything misrouted arrive before looking for it
    assert "screening_alert" not in viewer.kinds()
    assert "screening_alert" not in tr_analyst.kinds()
    for listener in (viewer, qa_analyst, tr_analyst):
        listener.close()


def test_an_expired_token_gets_no_intelligence_and_its_stream_closes(api: Api, server: str) -> None:
    """The clock passes the token's end while the stream is open; the next intelligence event
    makes the stream check, and it closes instead of sending it."""
    analyst = Listener(server, "qa-analyst")
    api.clock.advance(hours=12, seconds=1)
    headers = {"Authorization": f"Bearer {api.token('qa-analyst')}"}
    entry = {"id": "QA-EXP", "name": "Youssef Ahmed El Mansouri", "tlp": "amber"}
    assert httpx.post(
        f"{server}/api/v1/watchlist", json={"entries": [entry]}, headers=headers
    ).is_success
    screened = httpx.post(
        f"{server}/api/v1/screening/runs",
        json={"people": [{"id": "p9", "name": "Youssef Ahmed El Mansouri"}]},
        headers=headers,
    )
    assert screened.json()["alerts"]
    assert analyst.wait_for("closed") == {"reason": "token expired"}
    assert "screening_alert" not in analyst.kinds()
    analyst.close()
