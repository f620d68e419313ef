"""Distances and travel times for dispatch: over a venue's walking network, or straight."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict

from opsroom.scenario import Scenario

EARTH_RADIUS_M = 6_371_000.0
WALKING_SPEED_M_S = 1.34
"""Free walking speed of pedestrians (Weidmann 1993)."""
VEHICLE_SPEED_M_S = 8.3
"""About 30 km/h: a reasoned average for an emergency vehicle across a venue's closed perimeter
roads; a default, not a measured figure."""
VEHICLE_KINDS = frozenset({"response_team", "medical", "vehicle_patrol"})


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def speed_of(kind: str) -> float:
    return VEHICLE_SPEED_M_S if kind in VEHICLE_KINDS else WALKING_SPEED_M_S


def walking_distance_m(scenario: Scenario, venue_id: str, source: str, target: str) -> float | None:
    """Shortest walk between two nodes (gates or transport nodes) of a venue, or None if none."""
    if source == target:
        return 0.0
    graph: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for link in scenario.links_of(venue_id):
        graph[link.origin_id].append((link.gate_id, link.length_m))
        graph[link.gate_id].append((link.origin_id, link.length_m))
    best = {source: 0.0}
    frontier = [(0.0, source)]
    while frontier:
        distance, node = heapq.heappop(frontier)
        if node == target:
            return distance
        if distance > best.get(node, math.inf):
            continue
        for neighbour, length in graph[node]:
            candidate = distance + length
            if candidate < best.get(neighbour, math.inf):
                best[neighbour] = candidate
                heapq.heappush(frontier, (candidate, neighbour))
    return None
