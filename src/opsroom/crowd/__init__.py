"""The crowd-flow engine: venue networks, demand, a fluid queue network, planning and nowcasts.

Two layers, as the field's evidence suggests: a fast macroscopic (fluid, cumulative-curve)
queueing network for whole venues and whole days, and microscopic JuPedSim runs for hotspots.
See ``docs/crowd.md`` for the model, its sources and its limits.
"""

from opsroom.crowd.builder import build_venue_network
from opsroom.crowd.demand import DEFAULT_PROFILE, ArrivalProfile, Closure, Demand, Surge
from opsroom.crowd.fluid import FluidRun, run_fluid
from opsroom.crowd.forecast import Forecast, forecast_match, forecast_matches
from opsroom.crowd.network import (
    Figure,
    SourceKind,
    VenueNetwork,
    load_network,
    network_schema,
    parse_network,
)

__all__ = [
    "DEFAULT_PROFILE",
    "ArrivalProfile",
    "Closure",
    "Demand",
    "Figure",
    "FluidRun",
    "Forecast",
    "SourceKind",
    "Surge",
    "VenueNetwork",
    "build_venue_network",
    "forecast_match",
    "forecast_matches",
    "load_network",
    "network_schema",
    "parse_network",
    "run_fluid",
]
