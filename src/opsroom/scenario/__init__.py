"""Tournament data: venues, gates, sectors, transport, teams, agencies and matches.

``load_scenario("qatar2022")`` gives the built-in FIFA World Cup 2022 scenario;
``load_scenario(path)`` reads a user's directory of YAML or CSV files (see ``docs/scenario.md``).
"""

from opsroom.scenario.io import BUILTIN_SCENARIOS, load_scenario, read_scenario_dir
from opsroom.scenario.model import (
    Agency,
    AgencyKind,
    Gate,
    LinkKind,
    Match,
    ScenarioDocument,
    ScenarioInfo,
    Sector,
    Stage,
    Team,
    TransportKind,
    TransportNode,
    Venue,
    WalkingLink,
)
from opsroom.scenario.scenario import Scenario

__all__ = [
    "BUILTIN_SCENARIOS",
    "Agency",
    "AgencyKind",
    "Gate",
    "LinkKind",
    "Match",
    "Scenario",
    "ScenarioDocument",
    "ScenarioInfo",
    "Sector",
    "Stage",
    "Team",
    "TransportKind",
    "TransportNode",
    "Venue",
    "WalkingLink",
    "load_scenario",
    "read_scenario_dir",
]
