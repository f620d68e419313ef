"""Gate scans under a flood of sign-ins: the latency of a scan batch with and without 40 threads
signing in with wrong credentials as fast as the server answers.

The flood's names are new each time, from one address. With the shipped limits that address must
wait after 20 failures, so most of the flood is refused from one read of the database: that is
what one attacker costs. ``--per-address 1000000`` lifts the address's limit, as an attacker
spread over many addresses would: then each wrong sign-in costs a full Argon2id hash (64 MiB,
RFC 9106's second profile), one at a time. Starts the real server (``python -m opsroom serve``) on
a fresh database, posts batches of 100 scans one after another for a fixed time, first alone,
then during the flood, and prints the p50 and p99 of a batch, the sign-ins answered, and the
server's peak memory.

    python benchmarks/sign_in_flood.py --backend sqlite
    python benchmarks/sign_in_flood.py --backend sqlite --per-address 1000000
    python benchmarks/sign_in_flood.py --backend postgresql   # needs PostgreSQL on 127.0.0.1:5432
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from ops_load import batch, free_port, prepare_database, start_server, token

FLOOD_THREADS = 40
BATCH = 100


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def post_scans(base: str, bearer: str, prefix: str, seconds: float) -> list[float]:
    latencies = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {bearer}"}) as client:
        deadline = time.monotonic() + seconds
        number = 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            response = client.post("/api/v1/gate-scans", json=batch(prefix, number, BATCH))
            latencies.append(time.perf_counter() - started)
            response.raise_for_status()
            number += 1
    return latencies


def flood(base: str, stop: Any, answers: Counter[int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            response = client.post(
                "/api/v1/auth/token",
                data={"username": f"flood-{uuid.uuid4().hex[:8]}", "password": "not the one"},
            )
            answers[response.status_code] += 1


def flood_process(base: str, stop: Any, out: Any) -> None:
    """The flood's threads, in a process of their own, so that they do not hold the scan
    poster's interpreter lock and the figures are the server's."""
    answers: Counter[int] = Counter()
    threads = [
        threading.Thread(target=flood, args=(base, stop, answers)) for _ in range(FLOOD_THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(dict(answers))


def describe(name: str, latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100)
    p50, p99 = cuts[49] * 1000, cuts[98] * 1000
    print(f"{name}: {len(latencies)} batches of {BATCH}, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return p50, p99


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    parser.add_argument(
        "--per-address",
        type=int,
        default=None,
        help="failed sign-ins one address may have before it must wait (the server's default: 20)",
    )
    args = parser.parse_args()
    if args.per_address is not None:
        os.environ["OPSROOM_SIGN_IN_FREE_FAILURES_PER_ADDRESS"] = str(args.per_address)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        url = prepare_database(args.backend, workdir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, workdir / "server.log")
        try:
            bearer = token(base, "gate-bench")
            post_scans(base, bearer, "warm", 2.0)
            _, calm = describe("alone", post_scans(base, bearer, "calm", args.seconds))
            calm_rss = peak_rss_mib(server.pid)
            stop = mp.Event()
            out: Any = mp.Queue()
            flooder = mp.Process(target=flood_process, args=(base, stop, out))
            flooder.start()
            time.sleep(1.0)
            try:
                _, flooded = describe(
                    f"during {FLOOD_THREADS} sign-in threads",
                    post_scans(base, bearer, "flood", args.seconds),
                )
            finally:
                stop.set()
                answers = out.get(timeout=120)
                flooder.join()
            print(f"sign-ins answered during the flood: {dict(sorted(answers.items()))}")
            print(f"p99 ratio flooded/alone: {flooded / calm:.2f} (the target is at most 2)")
            print(
                f"server peak memory: {calm_rss:.0f} MiB alone, "
                f"{peak_rss_mib(server.pid):.0f} MiB after the flood"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    extra = f" --per-address {args.per_address}" if args.per_address is not None else ""
    print(f"command: python benchmarks/sign_in_flood.py --backend {args.backend}{extra}")


if __name__ == "__main__":
    main()
