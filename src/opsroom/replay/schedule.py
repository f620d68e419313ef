"""What happens when on a replayed match day, in scenario time: a pure function of the scenario.

Gate scans come from the crowd engine: each match's fans arrive along the engine's arrival
profile (:data:`opsroom.crowd.DEFAULT_PROFILE`, split over the venue's transport nodes and
sectors), walk to their gate, queue at perimeter screening and at the turnstiles of the fluid
queue network, and one scan is posted for every person leaving a turnstile bank (the cumulative
departures of :func:`opsroom.crowd.forecast_match`). Attendance is the match's published figure,
or the venue's capacity where none is published. After the final whistle everyone leaves by the
gate they came in through, along the engine's egress forecast for that gate
(:func:`opsroom.crowd.forecast.forecast_egress`).

A developing bottleneck: at one gate of the venue of the day's first match (so that it shows
early in a replay) only part of the screening lanes work (as after detector failures), so
arrivals exceed what the lanes pass as the peak builds and the scans at that gate fall behind
the arrivals; the queue and wait grow until the arrival peak passes. A few incidents are
reported around the venues and moved through their lifecycle (:mod:`opsroom.replay.events`),
and a synthetic registration batch is screened against a few watchlist entries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd import Demand, build_venue_network, forecast_match
from opsroom.crowd.forecast import forecast_egress
from opsroom.crowd.network import CheckpointKind, VenueNetwork
from opsroom.errors import InvalidInputError, Problem
from opsroom.replay.events import (
    Bottleneck,
    IncidentPlan,
    IncidentStep,
    UnitPlan,
    plan_incidents,
    plan_units,
)
from opsroom.replay.people import PersonPlan, WatchlistPlan, registration_batch, watchlist
from opsroom.scenario import Match, Scenario

DEFAULT_STEP_S = 60.0
"""Scans are grouped per minute of scenario time (one batch per real second at 60×)."""
BOTTLENECK_LANE_SHARE = 0.5
"""Share of the bottleneck gate's screening lanes that keep working (reasoned for the demo)."""
SCREENING_AFTER_MIN = 20.0
"""The registration batch is screened this long after the replay starts."""


@dataclass(frozen=True, kw_only=True)
class GateStep:
    """People passing one gate (in: its turnstiles; out: its exit) in the step ending at ``at``."""

    at: datetime
    match_id: str
    venue_id: str
    gate_id: str
    count: int
    first_index: int
    """Index, for this match, gate and direction, of the first of these people (stable ids)."""
    direction: str = "in"


@dataclass(frozen=True, kw_only=True)
class ScreeningPlan:
    at: datetime
    entries: tuple[WatchlistPlan, ...]
    people: tuple[PersonPlan, ...]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    day: date
    start: datetime
    end: datetime
    step_s: float
    match_ids: tuple[str, ...]
    units: tuple[UnitPlan, ...]
    scans: tuple[GateStep, ...]
    incidents: tuple[IncidentPlan, ...]
    screening: ScreeningPlan | None
    bottleneck: Bottleneck | None

    @property
    def total_scans(self) -> int:
        return sum(step.count for step in self.scans)

    def scans_by_gate(self, direction: str = "in") -> dict[str, int]:
        totals: dict[str, int] = {}
        for step in self.scans:
            if step.direction == direction:
                totals[step.gate_id] = totals.get(step.gate_id, 0) + step.count
        return totals


def _attendance(scenario: Scenario, match: Match) -> int:
    return match.attendance or scenario.venue(match.venue_id).capacity


def _with_lanes(network: VenueNetwork, gate_id: str, lanes: int) -> VenueNetwork:
    checkpoints = tuple(
        c.model_copy(update={"servers": lanes}) if c.id == gate_id else c
        for c in network.checkpoints
    )
    return network.model_copy(update={"checkpoints": checkpoints})


def _steps_of(
    cumulative: NDArray[np.float64],
    moments: list[datetime],
    *,
    match_id: str,
    venue_id: str,
    gate_id: str,
    direction: str,
) -> list[GateStep]:
    """Whole people per step from a cumulative curve (rounded, so the counts add up)."""
    passed = np.floor(cumulative + 0.5).astype(np.int64)
    steps = []
    done = int(passed[0])
    for k in range(1, len(passed)):
        count = int(passed[k]) - done
        if count > 0:
            steps.append(
                GateStep(
                    at=moments[k].astimezone(UTC),
                    match_id=match_id,
                    venue_id=venue_id,
                    gate_id=gate_id,
                    count=count,
                    first_index=done,
                    direction=direction,
                )
            )
            done += count
    return steps


def _gate_steps(
    network: VenueNetwork,
    match: Match,
    attendance: int,
    step_s: float,
) -> tuple[list[GateStep], dict[str, tuple[datetime | None, float]]]:
    """Entries: people leaving each gate's turnstile bank in the ingress forecast."""
    forecast = forecast_match(
        network,
        Demand(attendance=attendance, kickoff=match.kickoff),
        match_id=match.id,
        with_egress=False,
    )
    run = forecast.run
    stride = max(1, round(step_s / run.step_s))
    grid = np.arange(0, len(run.times_s), stride)
    moments = [forecast.time_at(float(run.times_s[i] - run.times_s[0])) for i in grid]
    venue = network.venue.id
    steps: list[GateStep] = []
    for checkpoint in network.checkpoints:
        if checkpoint.kind != CheckpointKind.TURNSTILE:
            continue
        row = run.graph.index(f"{venue}/{checkpoint.id}")
        steps += _steps_of(
            run.departures[row, grid],
            moments,
            match_id=match.id,
            venue_id=venue,
            gate_id=checkpoint.id.removesuffix("-turnstiles"),
            direction="in",
        )
    peaks = {
        peak.station_id.split("/", 1)[1]: (peak.overload_from, peak.max_wait_min)
        for peak in forecast.peaks
    }
    return steps, peaks


def _exit_steps(
    network: VenueNetwork, match: Match, attendance: int, step_s: float, entered: dict[str, int]
) -> list[GateStep]:
    """Exits after the final whistle: each gate's egress curve, scaled to who entered there."""
    egress = forecast_egress(network, Demand(attendance=attendance, kickoff=match.kickoff))
    run = egress.run
    stride = max(1, round(step_s / run.step_s))
    grid = np.arange(0, len(run.times_s), stride)
    moments = [egress.starts_at + timedelta(seconds=float(run.times_s[i])) for i in grid]
    venue = network.venue.id
    steps: list[GateStep] = []
    for gate_id, people in entered.items():
        row = run.graph.index(f"{venue}/out:{gate_id}")
        total = float(run.departures[row, -1])
        if total <= 0 or people <= 0:
            continue
        steps += _steps_of(
            run.departures[row, grid] * (people / total),
            moments,
            match_id=match.id,
            venue_id=venue,
            gate_id=gate_id,
            direction="out",
        )
    return steps


def build_schedule(
    scenario: Scenario,
    day: date,
    *,
    step_s: float = DEFAULT_STEP_S,
    with_bottleneck: bool = True,
    with_exits: bool = True,
    registrations: int = 120,
) -> Schedule:
    """The replay of ``day`` (a local match day of ``scenario``): what happens when."""
    matches = list(scenario.matches_on(day))
    if not matches:
        days = ", ".join(d.isoformat() for d in scenario.match_days()[:5])
        raise InvalidInputError(
            f"no match on {day.isoformat()} in scenario '{scenario.info.id}'",
            [Problem(f"choose a match day, e.g. {days}", field="date")],
        )
    if step_s <= 0:
        raise InvalidInputError("step must be positive", [Problem("> 0", field="step_s")])
    target = None
    if with_bottleneck:
        first = min(matches, key=lambda m: (m.kickoff, -_attendance(scenario, m)))
        target = first.venue_id, scenario.gates_of(first.venue_id)[0]
    scans: list[GateStep] = []
    bottleneck = None
    for match in matches:
        network = build_venue_network(scenario, match.venue_id)
        if target is not None and target[0] == match.venue_id:
            gate = target[1]
            lanes = max(1, math.floor(gate.screening_lanes * BOTTLENECK_LANE_SHARE))
            network = _with_lanes(network, gate.id, lanes)
        steps, peaks = _gate_steps(network, match, _attendance(scenario, match), step_s)
        scans.extend(steps)
        if with_exits:
            entered: dict[str, int] = {}
            for step in steps:
                entered[step.gate_id] = entered.get(step.gate_id, 0) + step.count
            scans.extend(_exit_steps(network, match, _attendance(scenario, match), step_s, entered))
        if target is not None and target[0] == match.venue_id:
            overload_from, max_wait = peaks[target[1].id]
            bottleneck = Bottleneck(
                venue_id=match.venue_id,
                gate_id=target[1].id,
                lanes_planned=target[1].screening_lanes,
                lanes_open=lanes,
                overload_from=overload_from.astimezone(UTC) if overload_from else None,
                max_wait_min=max_wait,
            )
    scans.sort(key=lambda s: (s.at, s.direction, s.gate_id))
    start = min(s.at for s in scans) - timedelta(seconds=step_s)
    end = max(s.at for s in scans)
    entries = watchlist()
    screening = ScreeningPlan(
        at=start + timedelta(minutes=SCREENING_AFTER_MIN),
        entries=entries,
        people=registration_batch(entries, size=registrations),
    )
    return Schedule(
        day=day,
        start=start,
        end=end,
        step_s=step_s,
        match_ids=tuple(m.id for m in matches),
        units=plan_units(scenario, [m.venue_id for m in matches]),
        scans=tuple(scans),
        incidents=plan_incidents(scenario, matches, bottleneck),
        screening=screening if registrations > 0 else None,
        bottleneck=bottleneck,
    )


def busiest_day(scenario: Scenario) -> date:
    """The first match day with the most matches: the default day to replay."""
    days = scenario.match_days()
    if not days:
        raise InvalidInputError(
            f"scenario '{scenario.info.id}' has no match", [Problem("no match", field="matches")]
        )
    return max(days, key=lambda d: (len(scenario.matches_on(d)), -d.toordinal()))


def only_matches(scenario: Scenario, match_ids: list[str], *, attendance: int | None) -> Scenario:
    """The scenario restricted to some matches (e.g. a short replay), optionally re-attended."""
    chosen = [scenario.match(mid) for mid in match_ids]
    if attendance is not None:
        chosen = [m.model_copy(update={"attendance": attendance}) for m in chosen]
    return replace(scenario, matches=tuple(chosen))


__all__ = [
    "Bottleneck",
    "GateStep",
    "IncidentPlan",
    "IncidentStep",
    "Schedule",
    "ScreeningPlan",
    "UnitPlan",
    "build_schedule",
    "busiest_day",
    "only_matches",
]
