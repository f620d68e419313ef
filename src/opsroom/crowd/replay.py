"""Replays of real events from public figures: does the engine see the failure coming, and does
the mitigation work?

A replay is a folder under ``opsroom/crowd/replays/`` with ``venue.yaml`` (a venue network) and
``replay.yaml`` (kick-off, attendance, arrival profile, the time the forecast is made, the
checkpoint to watch, the mitigation, and its sources and assumptions). Running it forecasts the
match as planned and with the mitigation: the failure is *flagged* when the watched checkpoint
gets a critical alert; the *lead time* runs from the forecast time to the moment its wait passes
30 minutes (and, for a turnstile bank, the Green Guide shortfall is known before the day); the
mitigation *works* when no checkpoint's longest wait passes the 15-minute target
and no queue has less than 0.3 m² per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from opsroom.crowd import figures
from opsroom.crowd.alerts import Alert, alerts_for
from opsroom.crowd.demand import ArrivalProfile, Demand
from opsroom.crowd.forecast import Forecast, forecast_match
from opsroom.crowd.inputs import parse_time
from opsroom.crowd.network import VenueNetwork, load_network
from opsroom.crowd.planner import green_guide_minimum
from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.files import read_yaml

REPLAYS = ("hillsborough-1989", "stade-de-france-2022")


@dataclass(frozen=True, kw_only=True)
class Replay:
    key: str
    name: str
    network: VenueNetwork
    demand: Demand
    as_of: datetime
    watch: str
    mitigation: str
    mitigated_network: VenueNetwork
    mitigated_demand: Demand
    sources: tuple[str, ...]
    assumptions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ReplayResult:
    replay: Replay
    baseline: Forecast
    mitigated: Forecast
    alert: Alert | None
    flagged: bool
    lead_minutes: float | None
    baseline_max_wait_min: float
    mitigated_max_wait_min: float
    mitigation_works: bool
    green_guide_turnstiles: dict[str, int]
    green_guide_shortfall: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "replay": self.replay.key,
            "name": self.replay.name,
            "watch": self.replay.watch,
            "as_of": self.replay.as_of.isoformat(),
            "flagged": self.flagged,
            "alert": self.alert.message if self.alert else None,
            "lead_minutes": None if self.lead_minutes is None else round(self.lead_minutes, 1),
            "baseline_max_wait_min": round(self.baseline_max_wait_min, 1),
            "mitigation": self.replay.mitigation,
            "mitigated_max_wait_min": round(self.mitigated_max_wait_min, 1),
            "mitigation_works": self.mitigation_works,
            "green_guide_turnstiles": self.green_guide_turnstiles,
            "green_guide_shortfall": self.green_guide_shortfall,
            "sources": list(self.replay.sources),
            "assumptions": list(self.replay.assumptions),
        }


def load_replay(key_or_path: str | Path) -> Replay:
    """A built-in replay by name (see :data:`REPLAYS`) or a folder of the same shape."""
    if str(key_or_path) in REPLAYS:
        folder = Path(str(resources.files("opsroom.crowd") / "replays" / str(key_or_path)))
    else:
        folder = Path(key_or_path)
    if not (folder / "replay.yaml").is_file():
        raise NotFoundError(f"no replay {str(key_or_path)!r} (built in: {', '.join(REPLAYS)})")
    file = str(folder / "replay.yaml")
    data = read_yaml(folder / "replay.yaml", what="replay file")
    network = load_network(folder / "venue.yaml")
    try:
        p = data["profile"]
        profile = ArrivalProfile.from_percent(
            start_min=float(p["start_min"]),
            bin_min=float(p["bin_min"]),
            percent=tuple(float(x) for x in p["percent"]),
            source=str(p["source"]),
        )
        kickoff = parse_time(str(data["kickoff"]), field="kickoff", file=file)
        demand = Demand(attendance=int(data["attendance"]), kickoff=kickoff, profile=profile)
        mitigation = data["mitigation"]
        mitigated_network = network.with_servers(
            {k: int(v) for k, v in (mitigation.get("servers") or {}).items()}
        )
        split = mitigation.get("origin_split")
        mitigated_demand = Demand(
            attendance=demand.attendance,
            kickoff=kickoff,
            profile=profile,
            origin_split={k: float(v) for k, v in split.items()} if split else None,
        )
        network.checkpoint(str(data["watch"]))
        return Replay(
            key=folder.name,
            name=str(data["name"]),
            network=network,
            demand=demand,
            as_of=parse_time(str(data["as_of"]), field="as_of", file=file),
            watch=str(data["watch"]),
            mitigation=str(mitigation["description"]),
            mitigated_network=mitigated_network,
            mitigated_demand=mitigated_demand,
            sources=tuple(str(s) for s in data.get("sources", ())),
            assumptions=tuple(str(s) for s in data.get("assumptions", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"{file}: replay is not valid", [Problem(str(exc), file=file)]
        ) from None


def _worst(forecast: Forecast) -> float:
    return max((p.max_wait_min for p in forecast.peaks), default=0.0)


def run_replay(replay: Replay) -> ReplayResult:
    baseline = forecast_match(replay.network, replay.demand, with_egress=False)
    mitigated = forecast_match(replay.mitigated_network, replay.mitigated_demand, with_egress=False)
    watch_id = f"{replay.network.venue.id}/{replay.watch}"
    alert = next(
        (
            a
            for a in alerts_for(baseline, as_of=replay.as_of)
            if a.station_id == watch_id and a.severity == "critical"
        ),
        None,
    )
    cramped = any(
        p.min_space_m2_per_person is not None
        and p.min_space_m2_per_person < figures.FRUIN_QUEUE_LOS[3][1]
        and p.max_queue >= 1.0
        for p in mitigated.peaks
    )
    minimum = green_guide_minimum(replay.network)
    watched = replay.network.checkpoint(replay.watch)
    return ReplayResult(
        replay=replay,
        baseline=baseline,
        mitigated=mitigated,
        alert=alert,
        flagged=alert is not None,
        lead_minutes=alert.lead_minutes if alert else None,
        baseline_max_wait_min=_worst(baseline),
        mitigated_max_wait_min=_worst(mitigated),
        mitigation_works=_worst(mitigated) <= figures.DEFAULT_MAX_WAIT_MINUTES and not cramped,
        green_guide_turnstiles=minimum,
        green_guide_shortfall=max(minimum.get(replay.watch, 0) - watched.servers, 0),
    )
