"""Distances and travel times for dispatch: over a venue's walking network, or straight."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from opsroom.errors import Problem
from opsroom.scenario import Scenario

EARTH_RADIUS_M = 6_371_000.0
WALKING_SPEED_M_S = 1.34
"""Free walking speed of pedestrians (Weidmann 1993)."""
VEHICLE_SPEED_M_S = 8.3
"""About 30 km/h: a reasoned average for an emergency vehicle across a venue's closed perimeter
roads; a default, not a measured figure."""
VEHICLE_KINDS = frozenset({"response_team", "medical", "vehicle_patrol"})
AREA_MARGIN_M = 50_000.0
"""How far beyond the box around the scenario's venues a reported position may lie: the venues'
approaches, fan zones, car parks and the hotels and airport that a deployment also covers all fall
within it, while a position mistyped by a degree or in another country does not. A reasoned
default, not a measured figure."""


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Area:
    """A latitude-longitude box, WGS 84 degrees."""

    south: float
    north: float
    west: float
    east: float


def deployment_area(scenario: Scenario, margin_m: float = AREA_MARGIN_M) -> Area:
    """The box around the scenario's venues, widened by ``margin_m`` on every side.

    The east-west margin is taken at the box's latitude farthest from the equator, where a degree
    of longitude is shortest, so that the margin is at least ``margin_m`` everywhere.
    """
    lats = [v.lat for v in scenario.venues]
    lons = [v.lon for v in scenario.venues]
    d_lat = math.degrees(margin_m / EARTH_RADIUS_M)
    south, north = min(lats) - d_lat, max(lats) + d_lat
    widest = max(abs(south), abs(north))
    d_lon = math.degrees(margin_m / (EARTH_RADIUS_M * max(math.cos(math.radians(widest)), 1e-6)))
    return Area(south=south, north=north, west=min(lons) - d_lon, east=max(lons) + d_lon)


def outside_area(scenario: Scenario, lat: float | None, lon: float | None) -> list[Problem]:
    """A problem for each given coordinate outside :func:`deployment_area` (``None`` is skipped)."""
    if not scenario.venues:
        return []
    area = deployment_area(scenario)
    km = f"{AREA_MARGIN_M / 1000:g} km"
    problems = []
    if lat is not None and not area.south <= lat <= area.north:
        problems.append(
            Problem(
                f"{lat:g} is outside the deployment's area: latitude {area.south:.3f} to"
                f" {area.north:.3f}, the scenario's venues and {km} around them",
                field="lat",
            )
        )
    if lon is not None and not area.west <= lon <= area.east:
        problems.append(
            Problem(
                f"{lon:g} is outside the deployment's area: longitude {area.west:.3f} to"
                f" {area.east:.3f}, the scenario's venues and {km} around them",
                field="lon",
            )
        )
    return problems


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
