"""`opsroom demo` from an empty folder: database, users, server, page and a replayed match day."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

WAIT_S = 90


def test_demo_serves_the_page_and_replays_scans(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSROOM_")}
    env |= {"PYTHONUNBUFFERED": "1", "COLUMNS": "120"}
    log = tmp_path / "demo.out"
    with log.open("w") as out:
        demo = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "opsroom",
                "demo",
                "--port",
                str(port),
                "--speed",
                "1200",
                "--date",
                "2022-12-18",
            ],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and "<html" in page.text
        printed = log.read_text()
        assert "Lusail Stadium" in printed and base in printed
        password = re.search(r"commander\s*│\s*QA-MOI\s*│\s*commander\s*│\s*(\S+)", printed)
        assert password is not None, printed
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "commander", "password": password.group(1)},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        occupancy = 0
        while time.monotonic() < deadline and occupancy == 0:
            status = httpx.get(f"{base}/api/v1/venues/lusail/status", headers=headers).json()
            occupancy = status["occupancy"]
            time.sleep(0.5)
        assert occupancy > 0, "the replay sent no scans to Lusail"
        assert status["as_of"].startswith("2022-12-18")
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
    assert (tmp_path / "opsroom-demo.db").exists()
