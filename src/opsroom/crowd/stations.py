"""Compile a venue network into *stations*: the queues the fluid engine runs.

Every checkpoint and every walking link is a station: a server of fixed capacity (persons/s) with
a FIFO queue in front of it and a walking delay after it. A link's capacity is its width times its
specific flow (Green Guide 82 /m/min level, 66 stairs); a checkpoint's is its servers times their
rate. Fans follow their route (:func:`opsroom.crowd.topology.routes`); a station's output splits
to the next stations in the fixed proportions of the routes through it (the *static split*: the
mix of destinations in a queue is the mix over the whole match, not minute by minute).

For egress the routes run backwards: sector exit (exit width at 66 or 82 /m/min) → concourse →
gate exit width (a checkpoint without one does not limit egress) → links → origin, and at a metro
origin the platform (train capacity per headway, as a fluid rate).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd import figures
from opsroom.crowd.network import VenueNetwork
from opsroom.crowd.topology import Route, routes


@dataclass(frozen=True, kw_only=True)
class StationGraph:
    """Stations and how flow passes between them; sources feed it and sinks collect it."""

    ids: tuple[str, ...]
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    venue_ids: tuple[str, ...]
    capacity_per_s: NDArray[np.float64]
    delay_s: NDArray[np.float64]
    area_m2: NDArray[np.float64]
    level: NDArray[np.int64]
    source_ids: tuple[str, ...]
    sink_ids: tuple[str, ...]
    entry: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    edges: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]
    sinks: tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]

    @property
    def size(self) -> int:
        return len(self.ids)

    def index(self, station_id: str) -> int:
        return self.ids.index(station_id)


def _arrays(
    triples: list[tuple[int, int, float]],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    return (
        np.array([t[0] for t in triples], dtype=np.int64),
        np.array([t[1] for t in triples], dtype=np.int64),
        np.array([t[2] for t in triples], dtype=np.float64),
    )


def _route_weights(
    network: VenueNetwork,
    origin_shares: dict[str, float],
    sector_split: dict[str, float],
    avoid: frozenset[str],
) -> list[tuple[Route, float]]:
    found = routes(network, avoid=avoid)
    # Each origin's fans go to each sector in proportion to tickets, among reachable sectors.
    weighted: list[tuple[Route, float]] = []
    for origin in network.origins:
        mine = [r for r in found if r.origin_id == origin.id]
        total = sum(sector_split[r.sector_id] for r in mine)
        for route in mine:
            share = sector_split[route.sector_id] / total if total > 0 else 0.0
            weight = origin_shares[origin.id] * share
            if weight > 0:
                weighted.append((route, weight))
    return weighted


def compile_ingress(
    network: VenueNetwork,
    *,
    origin_shares: dict[str, float],
    sector_split: dict[str, float],
    avoid: frozenset[str] = frozenset(),
) -> StationGraph:
    """Stations for fans' entry: origins are the sources, sectors the sinks."""
    checkpoints = {c.id: c for c in network.checkpoints}
    links = {link.id: link for link in network.links}
    paths: list[tuple[str, list[str], str, float]] = []
    for route, weight in _route_weights(network, origin_shares, sector_split, avoid):
        stations = []
        for position, link_id in enumerate(route.links):
            stations.append(link_id)
            node = route.nodes[position + 1]
            if node in checkpoints:
                stations.append(node)
        paths.append((route.origin_id, stations, route.sector_id, weight))
    spec: dict[str, tuple[str, str, float, float, float]] = {}
    for _, stations, _, _ in paths:
        for sid in stations:
            if sid in checkpoints:
                c = checkpoints[sid]
                area = c.queue_area_m2.value if c.queue_area_m2 else np.nan
                spec[sid] = (c.name, c.kind.value, c.capacity_per_h / 3600.0, 0.0, area)
            else:
                link = links[sid]
                spec[sid] = (
                    f"walk {link.from_} → {link.to}",
                    f"link:{link.kind.value}",
                    link.capacity_per_h / 3600.0,
                    link.walk_seconds,
                    np.nan,
                )
    return _assemble(
        network.venue.id,
        spec,
        paths,
        [o.id for o in network.origins],
        [s.id for s in network.sectors],
    )


def compile_egress(
    network: VenueNetwork,
    *,
    origin_shares: dict[str, float],
    sector_split: dict[str, float],
    avoid: frozenset[str] = frozenset(),
) -> StationGraph:
    """Stations for fans' exit: sectors are the sources, origins the sinks."""
    checkpoints = {c.id: c for c in network.checkpoints}
    links = {link.id: link for link in network.links}
    sectors = {s.id: s for s in network.sectors}
    origins = {o.id: o for o in network.origins}
    spec: dict[str, tuple[str, str, float, float, float]] = {}
    paths: list[tuple[str, list[str], str, float]] = []
    for route, weight in _route_weights(network, origin_shares, sector_split, avoid):
        sector = sectors[route.sector_id]
        exit_id = f"exit:{sector.id}"
        spec[exit_id] = (
            f"{sector.name} exits",
            "exit",
            sector.exit_capacity_per_min / 60.0,
            0.0,
            np.nan,
        )
        stations = [exit_id]
        for position in range(len(route.links) - 1, -1, -1):
            link = links[route.links[position]]
            sid = f"out:{link.id}"
            flow = (
                figures.EXIT_FLOW_STAIRS_PER_M_MIN
                if link.kind.value == "stairs"
                else figures.EXIT_FLOW_LEVEL_PER_M_MIN
            )
            spec[sid] = (
                f"walk {link.to} → {link.from_}",
                f"link:{link.kind.value}",
                link.width_m * flow / 60.0,
                link.walk_seconds,
                np.nan,
            )
            stations.append(sid)
            node = route.nodes[position]
            if node in checkpoints and checkpoints[node].exit_width_m is not None:
                width = checkpoints[node].exit_width_m
                assert width is not None
                gid = f"out:{node}"
                spec[gid] = (
                    f"{checkpoints[node].name} exit",
                    "gate-exit",
                    width.value * figures.EXIT_FLOW_LEVEL_PER_M_MIN / 60.0,
                    0.0,
                    np.nan,
                )
                stations.append(gid)
        origin = origins[route.origin_id]
        if origin.platform is not None:
            pid = f"platform:{origin.id}"
            spec[pid] = (
                f"{origin.name} platform",
                "platform",
                origin.platform.rate_per_s,
                0.0,
                np.nan,
            )
            stations.append(pid)
        paths.append((sector.id, stations, origin.id, weight))
    return _assemble(
        network.venue.id,
        spec,
        paths,
        [s.id for s in network.sectors],
        [o.id for o in network.origins],
    )


def _assemble(
    venue_id: str,
    spec: dict[str, tuple[str, str, float, float, float]],
    paths: list[tuple[str, list[str], str, float]],
    source_ids: list[str],
    sink_ids: list[str],
) -> StationGraph:
    ids = list(spec)
    where = {sid: i for i, sid in enumerate(ids)}
    source_at = {sid: i for i, sid in enumerate(source_ids)}
    sink_at = {sid: i for i, sid in enumerate(sink_ids)}
    through = np.zeros(len(ids))
    source_total = np.zeros(len(source_ids))
    entry: dict[tuple[int, int], float] = {}
    edges: dict[tuple[int, int], float] = {}
    sinks: dict[tuple[int, int], float] = {}
    level = np.zeros(len(ids), dtype=np.int64)
    for source, stations, sink, weight in paths:
        source_total[source_at[source]] += weight
        key = (source_at[source], where[stations[0]])
        entry[key] = entry.get(key, 0.0) + weight
        for a, b in itertools.pairwise(stations):
            edges[(where[a], where[b])] = edges.get((where[a], where[b]), 0.0) + weight
        key = (where[stations[-1]], sink_at[sink])
        sinks[key] = sinks.get(key, 0.0) + weight
        for sid in stations:
            through[where[sid]] += weight
    # Levels: longest path from a source, so every edge goes to a higher level.
    changed = True
    while changed:
        changed = False
        for up, down in edges:
            if level[down] <= level[up]:
                level[down] = level[up] + 1
                changed = True
    return StationGraph(
        ids=tuple(f"{venue_id}/{sid}" for sid in ids),
        labels=tuple(spec[sid][0] for sid in ids),
        kinds=tuple(spec[sid][1] for sid in ids),
        venue_ids=tuple(venue_id for _ in ids),
        capacity_per_s=np.array([spec[sid][2] for sid in ids], dtype=np.float64),
        delay_s=np.array([spec[sid][3] for sid in ids], dtype=np.float64),
        area_m2=np.array([spec[sid][4] for sid in ids], dtype=np.float64),
        level=level,
        source_ids=tuple(f"{venue_id}/{sid}" for sid in source_ids),
        sink_ids=tuple(f"{venue_id}/{sid}" for sid in sink_ids),
        entry=_arrays([(s, d, w / source_total[s]) for (s, d), w in entry.items()]),
        edges=_arrays([(a, b, w / through[a]) for (a, b), w in edges.items()]),
        sinks=_arrays([(a, k, w / through[a]) for (a, k), w in sinks.items()]),
    )


def merge_graphs(graphs: list[StationGraph]) -> StationGraph:
    """One graph of several disjoint ones (e.g. every venue of a day), run in one pass."""
    offsets = np.cumsum([0] + [g.size for g in graphs])
    source_offsets = np.cumsum([0] + [len(g.source_ids) for g in graphs])
    sink_offsets = np.cumsum([0] + [len(g.sink_ids) for g in graphs])

    def cat(
        parts: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]],
        first: NDArray[np.int64],
        second: NDArray[np.int64],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        return (
            np.concatenate([p[0] + first[i] for i, p in enumerate(parts)]).astype(np.int64),
            np.concatenate([p[1] + second[i] for i, p in enumerate(parts)]).astype(np.int64),
            np.concatenate([p[2] for p in parts]),
        )

    return StationGraph(
        ids=tuple(i for g in graphs for i in g.ids),
        labels=tuple(i for g in graphs for i in g.labels),
        kinds=tuple(i for g in graphs for i in g.kinds),
        venue_ids=tuple(i for g in graphs for i in g.venue_ids),
        capacity_per_s=np.concatenate([g.capacity_per_s for g in graphs]),
        delay_s=np.concatenate([g.delay_s for g in graphs]),
        area_m2=np.concatenate([g.area_m2 for g in graphs]),
        level=np.concatenate([g.level for g in graphs]),
        source_ids=tuple(i for g in graphs for i in g.source_ids),
        sink_ids=tuple(i for g in graphs for i in g.sink_ids),
        entry=cat([g.entry for g in graphs], source_offsets, offsets),
        edges=cat([g.edges for g in graphs], offsets, offsets),
        sinks=cat([g.sinks for g in graphs], offsets, sink_offsets),
    )
