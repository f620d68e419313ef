"""Build a venue network for a scenario's venue (e.g. every Qatar 2022 stadium).

The scenario gives gates (screening lanes, turnstiles), sectors (seats, entry gate), transport
nodes (kind, arrival share) and walking links (length, width, kind). The builder turns each gate
into two checkpoints in series (perimeter screening, then the turnstile bank) and adds what the
scenario does not publish as reasoned defaults, every one marked ``source: default`` with its
reasoning:

- screening lane rate 550/h (400-700/h, CCICADA 5-7 s per patron); turnstile 660/h (Green Guide);
- 30 m from screening to turnstiles and 60 m from turnstiles to the stand, 8 m wide; a concourse
  ring 150 m longer from each turnstile bank to the two neighbouring stands (used only when a
  gate is shut for the whole match: fans re-route to the next gate);
- queue space before screening for 30 minutes of the lanes' throughput at 0.6 m²/person;
- sector exits sized to empty the sector in 8 minutes on stairs at 66 /m/min (the Green Guide's
  design rule, i.e. the standard met by construction);
- gate exit width so that the gate's sectors pass in 8 minutes on the level at 82 /m/min;
- a metro platform at every metro origin: two coupled 3-car trains (about 800 persons) every
  120 s (reasoned; we cite no published match-day headway or train load).
"""

from __future__ import annotations

import math
from typing import Any

from opsroom.crowd import figures
from opsroom.crowd.network import (
    Checkpoint,
    CheckpointKind,
    Figure,
    Link,
    LinkKind,
    Origin,
    OriginKind,
    Platform,
    Sector,
    SourceKind,
    VenueInfo,
    VenueNetwork,
    parse_network,
)
from opsroom.errors import InvalidInputError, Problem
from opsroom.scenario import Scenario

SCREENING_TO_TURNSTILE_M = 30.0
TURNSTILE_TO_STAND_M = 60.0
RING_DETOUR_M = 150.0
INNER_WIDTH_M = 8.0
QUEUE_SPACE_HOURS = 0.5
TRAIN_CAPACITY = 800.0
TRAIN_HEADWAY_S = 120.0


def _default(
    value: float, note: str, low: float | None = None, high: float | None = None
) -> Figure:
    return Figure(value=value, low=low, high=high, source=SourceKind.DEFAULT, note=note)


SCREENING_RATE = Figure(
    value=figures.SCREENING_LANE_PER_HOUR,
    low=figures.SCREENING_LANE_PER_HOUR_LOW,
    high=figures.SCREENING_LANE_PER_HOUR_HIGH,
    source=SourceKind.MEASURED,
    note="walk-through metal detector 5-7 s per patron, 400-700/h per lane (CCICADA, NFL stadium)",
)
TURNSTILE_RATE = Figure(
    value=figures.TURNSTILE_PER_HOUR,
    source=SourceKind.GREEN_GUIDE,
    note="660 persons/h per turnstile (Guide to Safety at Sports Grounds)",
)
SCREENING_STAFF = _default(
    figures.DEFAULT_STAFF_PER_SCREENING_LANE, "divestment helper, detector operator, searcher"
)
TURNSTILE_STAFF = _default(figures.DEFAULT_STAFF_PER_TURNSTILE, "one steward per two turnstiles")


def build_venue_network(scenario: Scenario, venue_id: str) -> VenueNetwork:
    """The network of one venue of ``scenario``, with sourced defaults where it has no figure."""
    venue = scenario.venue(venue_id)
    gates = scenario.gates_of(venue_id)
    sectors = scenario.sectors_of(venue_id)
    transport = scenario.transport_of(venue_id)
    if not gates or not sectors or not transport:
        raise InvalidInputError(
            f"venue {venue_id!r} needs gates, sectors and transport nodes for a crowd network",
            [Problem("missing gates, sectors or transport", field=venue_id)],
        )
    origins = tuple(
        Origin(
            id=node.id,
            name=node.name,
            kind=OriginKind(node.kind.value),
            share=Figure(value=node.arrival_share, source=_kind_of(node.source), note=node.source),
            platform=_platform() if node.kind.value == "metro" else None,
        )
        for node in transport
    )
    seats_by_gate: dict[str, int] = {}
    for sector in sectors:
        seats_by_gate[sector.gate_id] = seats_by_gate.get(sector.gate_id, 0) + sector.capacity
    checkpoints: list[Checkpoint] = []
    links: list[Link] = []
    for gate in gates:
        seats = seats_by_gate.get(gate.id, 0)
        counts = _kind_of(gate.source)
        screening_capacity = gate.screening_lanes * SCREENING_RATE.value
        checkpoints.append(
            Checkpoint(
                id=gate.id,
                name=f"{gate.name} perimeter screening",
                kind=CheckpointKind.SCREENING,
                servers=gate.screening_lanes,
                servers_source=Figure(value=gate.screening_lanes, source=counts, note=gate.source),
                rate_per_server_per_h=SCREENING_RATE,
                staff_per_server=SCREENING_STAFF,
                queue_area_m2=_default(
                    round(
                        screening_capacity
                        * QUEUE_SPACE_HOURS
                        * figures.PLANNING_SPACE_M2_PER_PERSON
                    ),
                    "forecourt holding 30 min of the lanes' throughput at 0.6 m²/person",
                ),
                exit_width_m=_default(
                    _up(
                        max(seats, 1)
                        / (figures.EXIT_FLOW_LEVEL_PER_M_MIN * figures.EGRESS_LIMIT_MINUTES)
                    ),
                    "gate's sectors pass in 8 min on the level at 82 /m/min (Green Guide rule)",
                ),
            )
        )
        checkpoints.append(
            Checkpoint(
                id=f"{gate.id}-turnstiles",
                name=f"{gate.name} turnstiles",
                kind=CheckpointKind.TURNSTILE,
                servers=gate.turnstiles,
                servers_source=Figure(value=gate.turnstiles, source=counts, note=gate.source),
                rate_per_server_per_h=TURNSTILE_RATE,
                staff_per_server=TURNSTILE_STAFF,
            )
        )
        links.append(
            _link(
                id=f"{gate.id}-inner",
                from_id=gate.id,
                to=f"{gate.id}-turnstiles",
                length_m=SCREENING_TO_TURNSTILE_M,
                width_m=INNER_WIDTH_M,
                source="default: reasoned distance and width between screening and turnstiles",
            )
        )
    for sector in sectors:
        links.append(
            _link(
                id=f"{sector.id}-concourse",
                from_id=f"{sector.gate_id}-turnstiles",
                to=sector.id,
                length_m=TURNSTILE_TO_STAND_M,
                width_m=INNER_WIDTH_M,
                source="default: reasoned concourse distance and width to the stand",
            )
        )
    # The concourse ring: from each turnstile bank to the stands of the neighbouring gates, longer
    # than the way to its own stand, so fans use it only when their own gate is shut.
    gate_order = [gate.id for gate in gates]
    for sector in sectors:
        if sector.gate_id not in gate_order or len(gate_order) < 2:
            continue
        at = gate_order.index(sector.gate_id)
        for step in (-1, 1):
            neighbour = gate_order[(at + step) % len(gate_order)]
            if neighbour == sector.gate_id or f"{neighbour}-{sector.id}" in {
                link.id for link in links
            }:
                continue
            links.append(
                _link(
                    id=f"{neighbour}-{sector.id}",
                    from_id=f"{neighbour}-turnstiles",
                    to=sector.id,
                    length_m=TURNSTILE_TO_STAND_M + RING_DETOUR_M,
                    width_m=INNER_WIDTH_M,
                    source="default: concourse ring to the next stand, reasoned detour",
                )
            )
    for link in scenario.links_of(venue_id):
        links.append(
            _link(
                id=link.id,
                from_id=link.origin_id,
                to=link.gate_id,
                length_m=link.length_m,
                width_m=link.width_m,
                kind=LinkKind(link.kind.value),
                source=link.source,
            )
        )
    network_sectors = tuple(
        Sector(
            id=sector.id,
            name=sector.name,
            capacity=sector.capacity,
            capacity_source=sector.source,
            exit_width_m=_default(
                _up(
                    sector.capacity
                    / (figures.EXIT_FLOW_STAIRS_PER_M_MIN * figures.EGRESS_LIMIT_MINUTES)
                ),
                "exits sized to the Green Guide 8-minute rule on stairs at 66 /m/min",
            ),
        )
        for sector in sectors
    )
    network = VenueNetwork(
        venue=VenueInfo(
            id=venue.id, name=venue.name, capacity=venue.capacity, timezone=venue.timezone
        ),
        origins=origins,
        checkpoints=tuple(checkpoints),
        links=tuple(links),
        sectors=network_sectors,
    )
    # Run the same checks a user's file gets.
    return parse_network(network.model_dump(by_alias=True), file=f"scenario venue {venue_id}")


def _up(width_m: float) -> float:
    """A width rounded up to the next 0.1 m, so a rule met exactly stays met."""
    return math.ceil(width_m * 10.0 - 1e-9) / 10.0


def _link(*, from_id: str, **fields: Any) -> Link:
    return Link.model_validate({"from": from_id, **fields})


def _platform() -> Platform:
    return Platform(
        train_capacity=_default(
            TRAIN_CAPACITY, "two coupled 3-car metro trains, reasoned", 400, 1200
        ),
        headway_s=_default(TRAIN_HEADWAY_S, "match-day headway, reasoned", 90, 300),
    )


def _kind_of(source: str) -> SourceKind:
    return SourceKind.DEFAULT if source.startswith("default") else SourceKind.PUBLISHED
