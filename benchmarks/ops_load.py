"""Load and fault benchmark of the gate-scan endpoint, on SQLite and PostgreSQL.

Starts the real server (``python -m opsroom serve``) on a fresh database, then:

1. load: client processes post batches of unique scans as fast as they can for a fixed time;
   prints scans/s and the p50/p99 latency of a batch;
2. venue status: times ``GET /api/v1/venues/lusail/status`` (a fresh nowcast each call);
3. fault: posts again, kills the server with SIGKILL in mid-stream, restarts it, and checks in the
   database that every acknowledged scan is there exactly once; re-sends the batches that had no
   answer and checks they are stored once too.

    python benchmarks/ops_load.py --backend sqlite
    python benchmarks/ops_load.py --backend postgresql   # needs PostgreSQL on 127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from opsroom.ops.identity import create_user
from opsroom.scenario import load_scenario
from opsroom.store import create_database, upgrade

PASSWORD = "benchmark passphrase"
ADMIN_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "opsroom_bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(backend: str, workdir: Path) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        admin = create_engine(ADMIN_POSTGRES, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {BENCH_DB}"))
        admin.dispose()
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
    database = create_database(url)
    upgrade(database)
    with database.transaction() as session:
        create_user(
            session,
            username="gate-bench",
            password=PASSWORD,
            agency_id="QA-MOI",
            role="gate",
            venues=["lusail"],
        )
        create_user(
            session, username="op-bench", password=PASSWORD, agency_id="QA-MOI", role="operator"
        )
    database.dispose()
    return url


def start_server(url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {"OPSROOM_DATABASE_URL": url, "OPSROOM_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(
        [sys.executable, "-m", "opsroom", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server did not start; see {log}")


def token(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


GATES = [g for g in load_scenario("qatar2022").gates if g.venue_id == "lusail"]
KICKOFF = datetime(2022, 12, 18, 15, 0, tzinfo=UTC)  # the final, 18:00 in Doha


def batch(prefix: str, number: int, size: int) -> dict[str, Any]:
    start = KICKOFF - timedelta(hours=3) + timedelta(seconds=number % 7200)
    return {
        "scans": [
            {
                "scan_id": f"{prefix}-{number}-{i}",
                "venue_id": "lusail",
                "gate_id": GATES[i % len(GATES)].id,
                "credential_id": f"TKT-{prefix}-{number}-{i}",
                "direction": "in",
                "scanned_at": (start + timedelta(milliseconds=i)).isoformat(),
            }
            for i in range(size)
        ]
    }


def load_worker(base: str, bearer: str, prefix: str, seconds: float, size: int, out: Any) -> None:
    latencies: list[float] = []
    accepted = 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {bearer}"}) as client:
        bodies = [batch(prefix, n, size) for n in range(200)]
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline:
            body = bodies[number % len(bodies)]
            if number >= len(bodies):  # fresh ids for every batch
                body = batch(prefix, number, size)
            started = time.perf_counter()
            response = client.post("/api/v1/gate-scans", json=body, timeout=30)
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            accepted += response.json()["accepted"]
            number += 1
    out.put((latencies, accepted))


def run_load(base: str, bearer: str, seconds: float, size: int, clients: int) -> None:
    queue: Any = mp.Queue()
    workers = [
        mp.Process(target=load_worker, args=(base, bearer, f"w{i}", seconds, size, queue))
        for i in range(clients)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    accepted = sum(a for _, a in results)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000
    print(f"  load: {clients} client processes, batches of {size}, {elapsed:.1f} s")
    print(f"  accepted scans:        {accepted:,}")
    print(f"  throughput:            {accepted / elapsed:,.0f} scans/s")
    print(f"  batch latency p50/p99: {p50:.1f} / {p99:.1f} ms ({len(latencies)} batches)")
    print(f"  load average (1 min) after the run: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")


def run_status(base: str, bearer: str, calls: int) -> None:
    times = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {bearer}"}) as client:
        for _ in range(calls):
            started = time.perf_counter()
            response = client.get("/api/v1/venues/lusail/status")
            times.append(time.perf_counter() - started)
            response.raise_for_status()
    body = response.json()
    times.sort()
    print(
        f"  venue status with nowcast: p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {times[int(0.99 * (len(times) - 1))] * 1000:.1f} ms over {calls} calls "
        f"(occupancy {body['occupancy']:,}, nowcast {'yes' if body['nowcast'] else 'no'})"
    )


def run_fault(url: str, port: int, log: Path, size: int, server: subprocess.Popen[bytes]) -> None:
    base = f"http://127.0.0.1:{port}"
    bearer = token(base, "gate-bench")
    acknowledged: set[str] = set()
    unanswered: list[dict[str, Any]] = []
    kill_after = 15
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {bearer}"}) as client:
        for number in range(40):
            body = batch("fault", number, size)
            if number == kill_after:
                # kill while this batch is in flight
                pid = server.pid
                timer = mp.Process(target=_kill_soon, args=(pid, 0.005))
                timer.start()
            try:
                response = client.post("/api/v1/gate-scans", json=body, timeout=10)
                response.raise_for_status()
                acknowledged.update(s["scan_id"] for s in body["scans"])
            except httpx.HTTPError:
                unanswered.append(body)
                if number > kill_after:
                    break
    server.wait()
    print(
        f"  fault: SIGKILL after {kill_after} batches; {len(acknowledged):,} scans acknowledged, "
        f"{len(unanswered)} batch(es) without an answer"
    )
    restarted = start_server(url, port, log)
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            rows = (
                connection.execute(
                    text("SELECT scan_id FROM gate_scans WHERE scan_id LIKE 'fault-%'")
                )
                .scalars()
                .all()
            )
        engine.dispose()
        stored = set(rows)
        lost = acknowledged - stored
        doubled = len(rows) - len(stored)
        print(f"  after restart: {len(lost)} acknowledged scans lost, {doubled} stored twice")
        bearer = token(base, "gate-bench")
        resent = [
            httpx.post(
                f"{base}/api/v1/gate-scans", json=b, headers={"Authorization": f"Bearer {bearer}"}
            ).json()
            for b in [*unanswered[:1], batch("fault", 0, size)]
        ]
        print(f"  re-sent the unanswered batch and the first batch: {resent}")
        if lost or doubled:
            raise SystemExit("FAILED: acknowledged scans lost or doubled")
    finally:
        restarted.terminate()
        restarted.wait()


def _kill_soon(pid: int, delay: float) -> None:
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()
    print(
        f"$ python benchmarks/ops_load.py --backend {args.backend} --seconds {args.seconds:g} "
        f"--batch {args.batch} --clients {args.clients}"
    )
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = prepare_database(args.backend, workdir)
        port = free_port()
        log = workdir / "server.log"
        server = start_server(url, port, log)
        try:
            base = f"http://127.0.0.1:{port}"
            run_load(base, token(base, "gate-bench"), args.seconds, args.batch, args.clients)
            run_status(base, token(base, "op-bench"), 50)
            run_fault(url, port, log, args.batch, server)
        finally:
            if server.poll() is None:
                server.kill()


if __name__ == "__main__":
    main()
