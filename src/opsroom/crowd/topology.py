"""The network's graph: checks (ids, links, cycles, reachability, shares) and fans' routes.

Routing rule: fans from an origin to a sector take the shortest walking route (total link length;
ties broken by the order of the file). A planner who wants another split writes the links so. A
checkpoint listed in ``avoid`` (a gate shut for the whole match) is taken out before routing.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass

from opsroom.crowd.network import VenueNetwork
from opsroom.errors import InvalidInputError, Problem

SHARE_TOLERANCE = 1e-3
"""Origin shares must add up to 1 within this tolerance."""


@dataclass(frozen=True, kw_only=True)
class Route:
    """One origin-to-sector route: the node ids and the link ids between them, in walking order."""

    origin_id: str
    sector_id: str
    nodes: tuple[str, ...]
    links: tuple[str, ...]
    length_m: float


def check_network(network: VenueNetwork, *, file: str = "<network>") -> list[Problem]:
    """Everything wrong with a parsed network's graph, each naming its field."""
    problems: list[Problem] = []
    kinds: dict[str, str] = {}
    for table, ids in (
        ("origins", [row.id for row in network.origins]),
        ("checkpoints", [row.id for row in network.checkpoints]),
        ("sectors", [row.id for row in network.sectors]),
        ("links", [row.id for row in network.links]),
    ):
        for index, row_id in enumerate(ids):
            if row_id in kinds:
                problems.append(
                    Problem(f"duplicate id {row_id!r}", file=file, field=f"{table}.{index}.id")
                )
            kinds[row_id] = table
    for index, link in enumerate(network.links):
        where = f"links.{index}"
        start, end = kinds.get(link.from_), kinds.get(link.to)
        if start not in ("origins", "checkpoints"):
            problems.append(
                Problem(
                    f"link {link.id!r} starts at {link.from_!r}, not an origin or checkpoint",
                    file=file,
                    field=f"{where}.from",
                )
            )
        if end not in ("checkpoints", "sectors"):
            problems.append(
                Problem(
                    f"link {link.id!r} ends at {link.to!r}, not a checkpoint or sector",
                    file=file,
                    field=f"{where}.to",
                )
            )
    total = sum(origin.share.value for origin in network.origins)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        problems.append(
            Problem(
                f"origin shares add up to {total * 100:.1f} %, not 100 %",
                file=file,
                field="origins.share",
            )
        )
    if problems:
        return problems
    if _has_cycle(network):
        return [
            Problem(
                "the links form a cycle; entry routes must lead one way", file=file, field="links"
            )
        ]
    reach_from_origins = _reachable(network, [o.id for o in network.origins], forward=True)
    reach_to_sectors = _reachable(network, [s.id for s in network.sectors], forward=False)
    for index, sector in enumerate(network.sectors):
        if sector.id not in reach_from_origins:
            problems.append(
                Problem(
                    f"sector {sector.id!r} has no route from any origin",
                    file=file,
                    field=f"sectors.{index}",
                )
            )
    for index, origin in enumerate(network.origins):
        if origin.id not in reach_to_sectors:
            problems.append(
                Problem(
                    f"origin {origin.id!r} leads to no sector (disconnected)",
                    file=file,
                    field=f"origins.{index}",
                )
            )
    for index, checkpoint in enumerate(network.checkpoints):
        if checkpoint.id not in reach_from_origins or checkpoint.id not in reach_to_sectors:
            problems.append(
                Problem(
                    f"checkpoint {checkpoint.id!r} is not on any route from an origin to a "
                    "sector (disconnected)",
                    file=file,
                    field=f"checkpoints.{index}",
                )
            )
    return problems


def _adjacency(network: VenueNetwork, *, forward: bool) -> dict[str, list[str]]:
    adjacency: dict[str, list[str]] = defaultdict(list)
    for link in network.links:
        if forward:
            adjacency[link.from_].append(link.to)
        else:
            adjacency[link.to].append(link.from_)
    return adjacency


def _reachable(network: VenueNetwork, starts: list[str], *, forward: bool) -> set[str]:
    adjacency = _adjacency(network, forward=forward)
    seen = set(starts)
    stack = list(starts)
    while stack:
        for nxt in adjacency[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _has_cycle(network: VenueNetwork) -> bool:
    adjacency = _adjacency(network, forward=True)
    state: dict[str, int] = {}
    for start in list(adjacency):
        if state.get(start):
            continue
        stack = [(start, iter(adjacency[start]))]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                return True
            elif not state.get(child):
                state[child] = 1
                stack.append((child, iter(adjacency[child])))
    return False


def routes(network: VenueNetwork, *, avoid: frozenset[str] = frozenset()) -> tuple[Route, ...]:
    """The shortest route from every origin to every sector it can reach, avoiding some nodes.

    Raises :class:`InvalidInputError` when a sector can no longer be reached (a gate shut that
    was the only way in).
    """
    outgoing: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for link in network.links:
        if link.from_ in avoid or link.to in avoid:
            continue
        outgoing[link.from_].append((link.to, link.id, link.length_m))
    sector_ids = {s.id for s in network.sectors}
    found: list[Route] = []
    reached: set[str] = set()
    for origin in network.origins:
        best: dict[str, float] = {origin.id: 0.0}
        back: dict[str, tuple[str, str]] = {}
        heap: list[tuple[float, int, str]] = [(0.0, 0, origin.id)]
        counter = 0
        while heap:
            dist, _, node = heapq.heappop(heap)
            if dist > best.get(node, float("inf")):
                continue
            for nxt, link_id, length in outgoing[node]:
                candidate = dist + length
                if candidate < best.get(nxt, float("inf")):
                    best[nxt] = candidate
                    back[nxt] = (node, link_id)
                    counter += 1
                    heapq.heappush(heap, (candidate, counter, nxt))
        for sector in network.sectors:
            if sector.id not in best:
                continue
            nodes, links = [sector.id], []
            while nodes[-1] != origin.id:
                prev, link_id = back[nodes[-1]]
                links.append(link_id)
                nodes.append(prev)
            found.append(
                Route(
                    origin_id=origin.id,
                    sector_id=sector.id,
                    nodes=tuple(reversed(nodes)),
                    links=tuple(reversed(links)),
                    length_m=best[sector.id],
                )
            )
            reached.add(sector.id)
    missing = sorted(sector_ids - reached)
    if missing:
        raise InvalidInputError(
            f"venue {network.venue.id!r}: no route left to some sectors",
            [Problem(f"sector {sid!r} cannot be reached", field="sectors") for sid in missing],
        )
    return tuple(found)
