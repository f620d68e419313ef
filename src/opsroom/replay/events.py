"""Units and incidents of a replayed day: who is on duty where, and what happens to whom.

Three units per venue of the day (a patrol, a medical team and a response team) stand a few
hundred metres from the stadium. Each match gets one report before kick-off (a medical case or
a suspicious object, in turn), moved through the lifecycle by the operations room: acknowledged
after 2 minutes, the nearest suitable unit dispatched after 4, on scene after 12, resolved after
35 (the suspicious objects stay open on scene). The bottleneck's gate gets a crowd-pressure
report 20 minutes after its arrivals start to exceed what its lanes pass. All reasoned for the
demo, not taken from any real event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from opsroom.scenario import Match, Scenario


@dataclass(frozen=True, kw_only=True)
class UnitPlan:
    key: str
    name: str
    kind: str
    capabilities: tuple[str, ...]
    venue_id: str
    lat: float
    lon: float


@dataclass(frozen=True, kw_only=True)
class IncidentStep:
    """A change to an incident ``minutes`` after it is reported: a status or ``dispatch``."""

    after_min: float
    action: str
    note: str


@dataclass(frozen=True, kw_only=True)
class IncidentPlan:
    key: str
    at: datetime
    venue_id: str
    gate_id: str | None
    type: str
    priority: int
    description: str
    required_capability: str | None
    lat: float
    lon: float
    steps: tuple[IncidentStep, ...]


@dataclass(frozen=True, kw_only=True)
class Bottleneck:
    venue_id: str
    gate_id: str
    lanes_planned: int
    lanes_open: int
    overload_from: datetime | None
    """When arrivals start to exceed what the open lanes pass (from the crowd engine)."""
    max_wait_min: float


def plan_units(scenario: Scenario, venue_ids: list[str]) -> tuple[UnitPlan, ...]:
    kinds = (
        ("patrol", ("patrol", "crowd"), 0.003, 0.0),
        ("medical", ("medical", "first_aid"), -0.002, 0.003),
        ("response_team", ("crowd", "eod", "arrest"), 0.0, -0.004),
    )
    units = []
    for venue_id in venue_ids:
        venue = scenario.venue(venue_id)
        for kind, capabilities, dlat, dlon in kinds:
            units.append(
                UnitPlan(
                    key=f"{venue_id}-{kind}",
                    name=f"{venue.name} {kind.replace('_', ' ')} 1",
                    kind=kind,
                    capabilities=capabilities,
                    venue_id=venue_id,
                    lat=round(venue.lat + dlat, 5),
                    lon=round(venue.lon + dlon, 5),
                )
            )
    return tuple(units)


LIFECYCLE = (
    IncidentStep(after_min=2, action="acknowledged", note="seen in the operations room"),
    IncidentStep(after_min=4, action="dispatch", note="nearest suitable unit"),
    IncidentStep(after_min=12, action="on_scene", note="unit on scene"),
    IncidentStep(after_min=35, action="resolved", note="handled on site"),
)


def plan_incidents(
    scenario: Scenario, matches: list[Match], bottleneck: Bottleneck | None
) -> tuple[IncidentPlan, ...]:
    plans: list[IncidentPlan] = []
    for number, match in enumerate(matches):
        venue = scenario.venue(match.venue_id)
        gates = scenario.gates_of(match.venue_id)
        kickoff = match.kickoff.astimezone(UTC)
        if number % 2 == 0:
            plans.append(
                IncidentPlan(
                    key=f"{match.id}-medical",
                    at=kickoff - timedelta(minutes=50),
                    venue_id=venue.id,
                    gate_id=gates[-1].id if gates else None,
                    type="medical",
                    priority=2,
                    description="Spectator collapsed in the queue, conscious, heat exhaustion",
                    required_capability="medical",
                    lat=venue.lat - 0.0015,
                    lon=venue.lon + 0.001,
                    steps=LIFECYCLE,
                )
            )
        else:
            plans.append(
                IncidentPlan(
                    key=f"{match.id}-object",
                    at=kickoff - timedelta(minutes=80),
                    venue_id=venue.id,
                    gate_id=gates[0].id if gates else None,
                    type="suspicious_object",
                    priority=1,
                    description="Unattended bag next to the perimeter fence",
                    required_capability="eod",
                    lat=venue.lat + 0.002,
                    lon=venue.lon - 0.001,
                    steps=LIFECYCLE[:3],
                )
            )
    if bottleneck is not None:
        venue = scenario.venue(bottleneck.venue_id)
        match = next(m for m in matches if m.venue_id == bottleneck.venue_id)
        at = bottleneck.overload_from or (match.kickoff - timedelta(minutes=75))
        plans.append(
            IncidentPlan(
                key=f"{match.id}-crowd",
                at=at.astimezone(UTC) + timedelta(minutes=20),
                venue_id=venue.id,
                gate_id=bottleneck.gate_id,
                type="crowd",
                priority=1,
                description=(
                    f"Queue building at {scenario.gate(bottleneck.gate_id).name}: "
                    f"{bottleneck.lanes_open} of {bottleneck.lanes_planned} screening lanes working"
                ),
                required_capability="crowd",
                lat=venue.lat + 0.001,
                lon=venue.lon + 0.002,
                steps=LIFECYCLE[:2],
            )
        )
    return tuple(sorted(plans, key=lambda p: p.at))
