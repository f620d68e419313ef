"""The body limit holds for every framing, and outsiders cannot make the server read much at all
(issue: a chunked body of any size was accepted, buffered and parsed before the bearer check; an
unauthenticated 300 MB body raised the server's memory by 600 MB).

Bodies are written on a raw socket, chunk by chunk, so the test controls the framing and sees
exactly how much the server took before it answered.
"""

from __future__ import annotations

import itertools
import json
import select
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from tests.security.conftest import Live

CHUNK = b"x" * 65_536
MIB = 1024 * 1024


@dataclass
class Answer:
    status: int
    sent: int
    """Body bytes written before the server answered."""
    body: bytes


def peak_rss(live: Live) -> int:
    """The server's peak resident memory so far, in bytes (Linux's VmHWM)."""
    with open(f"/proc/{live.process.pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def send_chunked(
    live: Live,
    path: str,
    *,
    filler: int = 0,
    payload: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """POST ``payload``, or ``filler`` bytes of junk, in 64 KiB chunks, until the server answers
    or the body is complete; then read the answer."""
    address = urlsplit(live.base)
    pieces: Iterator[bytes] = (
        iter([payload]) if payload else (CHUNK for _ in range(-(-filler // len(CHUNK))))
    )
    sent = 0
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        head = [f"POST {path} HTTP/1.1", f"Host: {address.netloc}", "Transfer-Encoding: chunked"]
        head += ["Content-Type: application/json"]
        head += [f"{name}: {value}" for name, value in (headers or {}).items()]
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        sock.settimeout(2)  # a server that stopped reading makes a send wait: stop sending then
        for piece in itertools.chain(pieces, [b""]):
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break  # the server has answered before the body's end
            try:
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                break
            sent += len(piece)
        sock.settimeout(30)
        received = b""
        try:
            while not _complete(received):
                data = sock.recv(65_536)
                if not data:
                    break
                received += data
        except (ConnectionResetError, TimeoutError):
            pass
    status_line, _, rest = received.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 "), f"no answer after {sent} bytes: {received!r}"
    return Answer(int(status_line.split()[1]), sent, rest.partition(b"\r\n\r\n")[2])


def _complete(received: bytes) -> bool:
    if b"\r\n\r\n" not in received:
        return False
    head, _, body = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def test_an_outsider_cannot_make_the_server_read_a_large_chunked_body(live: Live) -> None:
    before = peak_rss(live)
    answer = send_chunked(live, "/api/v1/gate-scans", filler=300 * MIB)
    assert answer.status == 401
    assert answer.sent < 300 * MIB  # the server answered long before the body ended
    assert peak_rss(live) - before < 32 * MIB
    # Nor through a route that does not exist, nor with a token that is not one.
    assert send_chunked(live, "/no/such/route", filler=300 * MIB).status == 401
    forged = {"Authorization": "Bearer not-a-token"}
    assert send_chunked(live, "/api/v1/gate-scans", filler=300 * MIB, headers=forged).status == 401
    assert peak_rss(live) - before < 32 * MIB


def test_a_signed_in_caller_cannot_pass_the_limit_with_chunks(live: Live) -> None:
    before = peak_rss(live)
    answer = send_chunked(
        live, "/api/v1/gate-scans", filler=64 * MIB, headers=live.headers("qa-commander")
    )
    assert answer.status == 413
    assert json.loads(answer.body)["error"] == "too_large"
    assert 8 * MIB <= answer.sent < 64 * MIB
    assert peak_rss(live) - before < 48 * MIB


def test_a_declared_length_over_the_limit_is_refused_before_the_body(live: Live) -> None:
    address = urlsplit(live.base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(
            b"POST /api/v1/gate-scans HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {9 * MIB}\r\n\r\n".encode()
        )
        answer = sock.recv(65_536)
    assert answer.startswith(b"HTTP/1.1 413")


def test_chunked_bodies_within_the_limits_still_work(live: Live) -> None:
    batch = {
        "scans": [
            {
                "scan_id": f"chunked-{i}",
                "venue_id": "lusail",
                "gate_id": "lusail-g1",
                "credential_id": f"T-{i}",
                "direction": "in",
                "scanned_at": "2022-12-18T16:02:11+03:00",
            }
            for i in range(600)  # about 100 KB: over the anonymous limit, under the limit
        ]
    }
    payload = json.dumps(batch).encode()
    assert len(payload) > 64 * 1024
    answer = send_chunked(
        live, "/api/v1/gate-scans", payload=payload, headers=live.headers("qa-commander")
    )
    assert answer.status == 200, answer.body
    assert json.loads(answer.body)["accepted"] == 600
    small = b'{"people": []}'
    anonymous = send_chunked(live, "/api/v1/screening/runs", payload=small)
    assert anonymous.status == 401  # small bodies reach the route, which asks for a token
