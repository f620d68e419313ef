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


def _run_demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSROOM_")}
    return subprocess.run(
        [sys.executable, "-m", "opsroom", "demo", *args],
        cwd=cwd,
        env=env | {"COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_busy_port_stops_the_demo_before_it_touches_anything(tmp_path: Path) -> None:
    database = tmp_path / "opsroom-demo.db"
    database.write_bytes(b"the database of the demo already running")
    with socket.create_server(("127.0.0.1", 0)) as held:  # another server listens
        port = held.getsockname()[1]
        result = _run_demo(tmp_path, "--port", str(port))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"port {port} is in use: try --port " in result.stderr
    assert "Traceback" not in result.stderr and "password" not in result.stdout
    assert database.read_bytes() == b"the database of the demo already running"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["opsroom-demo.db"]


def test_a_second_demo_never_replaces_the_database_of_a_running_one(tmp_path: Path) -> None:
    database = tmp_path / "opsroom-demo.db"
    database.write_bytes(b"the database of the demo already running")
    # the running demo's lock, held here by another process
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "f = open('opsroom-demo.db.lock', 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
            "f.write('process 4242'); f.flush(); print('locked', flush=True); time.sleep(120)",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        result = _run_demo(tmp_path, "--port", str(port))
    finally:
        holder.kill()
        holder.communicate(timeout=30)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "opsroom-demo.db is in use by a running demo (process 4242)" in result.stderr
    assert "Traceback" not in result.stderr and "password" not in result.stdout
    assert database.read_bytes() == b"the database of the demo already running"
