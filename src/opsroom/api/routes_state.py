"""Venues, matches and live venue status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from opsroom.api.deps import SessionDep, StateDep, require
from opsroom.api.schemas import MatchOut
from opsroom.ops.roles import Permission

router = APIRouter(
    prefix="/api/v1", tags=["tournament"], dependencies=[Depends(require(Permission.READ_STATE))]
)


@router.get("/venues")
def venues(state: StateDep) -> list[dict[str, Any]]:
    return [venue.model_dump(mode="json") for venue in state.scenario.venues]


@router.get("/venues/{venue_id}")
def venue(venue_id: str, state: StateDep) -> dict[str, Any]:
    """The venue with its gates (and their checkpoints), sectors and transport."""
    scenario = state.scenario
    record = scenario.venue(venue_id).model_dump(mode="json")
    network = state.monitor.network(venue_id)
    checkpoints: dict[str, list[dict[str, Any]]] = {}
    for checkpoint in network.checkpoints:
        gate_id = checkpoint.id.removesuffix("-turnstiles")
        checkpoints.setdefault(gate_id, []).append(
            {
                "id": checkpoint.id,
                "name": checkpoint.name,
                "kind": checkpoint.kind.value,
                "servers": checkpoint.servers,
                "rate_per_hour": round(checkpoint.servers * checkpoint.rate_per_server_per_h.value),
            }
        )
    record["gates"] = [
        gate.model_dump(mode="json") | {"checkpoints": checkpoints.get(gate.id, [])}
        for gate in scenario.gates_of(venue_id)
    ]
    record["sectors"] = [s.model_dump(mode="json") for s in scenario.sectors_of(venue_id)]
    record["transport"] = [t.model_dump(mode="json") for t in scenario.transport_of(venue_id)]
    return record


@router.get("/venues/{venue_id}/status")
def venue_status(
    venue_id: str,
    state: StateDep,
    session: SessionDep,
    at: Annotated[
        AwareDatetime | None,
        Query(description="Status as of this time; default: the venue's latest scan."),
    ] = None,
) -> dict[str, Any]:
    """Occupancy, inflow over the last 15 minutes and the crowd nowcast with its alerts."""
    state.scenario.venue(venue_id)
    return state.monitor.status(session, venue_id, as_of=at).to_dict()


@router.get("/matches", response_model=list[MatchOut])
def matches(
    state: StateDep,
    on: Annotated[
        date | None, Query(alias="date", description="Local date at the venue, YYYY-MM-DD.")
    ] = None,
) -> list[MatchOut]:
    scenario = state.scenario
    chosen = scenario.matches if on is None else scenario.matches_on(on)
    return [
        MatchOut(
            id=m.id,
            kickoff=m.kickoff,
            venue_id=m.venue_id,
            stage=m.stage.value,
            group=m.group,
            home=m.home,
            away=m.away,
            attendance=m.attendance,
        )
        for m in chosen
    ]
