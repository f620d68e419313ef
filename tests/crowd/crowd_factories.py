"""Factories for the crowd engine's tests.

Policy: tiny hand-written networks built by :func:`tiny_network` (one or two origins, one or two
gates, one sector each) for the laws; the built-in Qatar 2022 scenario for the end-to-end checks.
Nothing is mocked; every test runs the real engine.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from opsroom.crowd.network import VenueNetwork, parse_network

KICKOFF = datetime(2022, 11, 20, 19, 0, tzinfo=timezone(timedelta(hours=3)))
SHARED_DATA = Path(__file__).parents[2].parent / "shared" / "data"


def figure(value: float, source: str = "user") -> dict[str, Any]:
    return {"value": value, "source": source}


def tiny_document(
    *,
    lanes: int = 4,
    lane_rate: float = 600.0,
    turnstiles: int | None = None,
    gates: int = 1,
    seats: int = 10_000,
    walk_m: float = 0.0,
    width_m: float = 20.0,
) -> dict[str, Any]:
    """One origin walking to ``gates`` gates, each screening (and turnstiles), one sector each."""
    checkpoints: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    sectors: list[dict[str, Any]] = []
    for g in range(1, gates + 1):
        checkpoints.append(
            {
                "id": f"g{g}",
                "name": f"Gate {g}",
                "kind": "screening",
                "servers": lanes,
                "rate_per_server_per_h": figure(lane_rate),
                "queue_area_m2": figure(500.0),
                "exit_width_m": figure(20.0),
            }
        )
        last = f"g{g}"
        links.append(
            {
                "id": f"walk{g}",
                "from": "station",
                "to": f"g{g}",
                "length_m": walk_m,
                "width_m": width_m,
                "source": "user",
            }
        )
        if turnstiles is not None:
            checkpoints.append(
                {
                    "id": f"t{g}",
                    "name": f"Turnstiles {g}",
                    "kind": "turnstile",
                    "servers": turnstiles,
                    "rate_per_server_per_h": figure(660.0, "green_guide"),
                }
            )
            links.append(
                {
                    "id": f"inner{g}",
                    "from": f"g{g}",
                    "to": f"t{g}",
                    "length_m": 0.0,
                    "width_m": width_m,
                    "source": "user",
                }
            )
            last = f"t{g}"
        links.append(
            {
                "id": f"stand{g}",
                "from": last,
                "to": f"s{g}",
                "length_m": 0.0,
                "width_m": width_m,
                "source": "user",
            }
        )
        sectors.append(
            {
                "id": f"s{g}",
                "name": f"Stand {g}",
                "capacity": seats // gates,
                "capacity_source": "user",
                "exit_width_m": figure(20.0),
            }
        )
    return {
        "venue": {"id": "tiny", "name": "Tiny Ground", "capacity": seats, "timezone": "Asia/Qatar"},
        "origins": [
            {
                "id": "station",
                "name": "Station",
                "kind": "metro",
                "share": figure(1.0),
                "platform": {"train_capacity": figure(1000.0), "headway_s": figure(120.0)},
            }
        ],
        "checkpoints": checkpoints,
        "links": links,
        "sectors": sectors,
    }


def tiny_network(**kwargs: Any) -> VenueNetwork:
    return parse_network(tiny_document(**kwargs), file="tiny.yaml")
