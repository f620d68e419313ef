"""Prometheus metrics, one registry per application (so tests can build many apps)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    """The method as a label: any method outside HTTP's usual few counts as ``other``, so a
    client inventing methods cannot grow the metrics without bound."""
    return method if method in HTTP_METHODS else "other"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "opsroom_http_requests",
            "HTTP requests answered, by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "opsroom_http_request_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.scans = Counter(
            "opsroom_gate_scans",
            "Gate scans received, by result (accepted, duplicate, rejected).",
            ["result"],
            registry=self.registry,
        )
        self.sign_ins_refused = Counter(
            "opsroom_sign_ins_refused_early",
            "Sign-ins refused before any work because their address must wait.",
            registry=self.registry,
        )
        self.stream_clients = Gauge(
            "opsroom_stream_clients", "Open live-stream connections.", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
