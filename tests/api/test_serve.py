"""`opsroom serve` as an operator starts it: migrations on start, health, JSON logs."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def test_serve_starts_migrates_and_logs_json(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = os.environ | {"OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "opsroom", "serve", "--port", str(port)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.1)
        assert health is not None, "server did not answer"
        assert health.json()["database"] == "ok" and health.json()["scenario"] == "qatar2022"
        venues = httpx.get(f"http://127.0.0.1:{port}/api/v1/venues")
        assert venues.status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=30)
    records = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any(r["msg"] == "started" and r["scenario"] == "qatar2022" for r in records)
    assert any(r["msg"] == "request" and r["path"] == "/health" for r in records)
    assert (tmp_path / "fresh.db").exists()
