"""Tiny factories: a minimal valid scenario directory that tests then break on purpose."""

from __future__ import annotations

from pathlib import Path

import yaml

SCENARIO = {
    "id": "mini",
    "name": "Mini cup",
    "timezone": "Africa/Casablanca",
    "start_date": "2025-12-21",
    "end_date": "2026-01-18",
}
VENUES = [
    {
        "id": "rabat",
        "name": "Prince Moulay Abdellah Stadium",
        "city": "Rabat",
        "capacity": 1000,
        "capacity_source": "user",
        "lat": 33.96,
        "lon": -6.89,
        "timezone": "Africa/Casablanca",
    }
]
GATES_CSV = (
    "id,venue_id,name,screening_lanes,turnstiles,source\n"
    "g1,rabat,Gate 1,2,3,user\n"
    "g2,rabat,Gate 2,2,3,user\n"
)
SECTORS_CSV = (
    "id,venue_id,gate_id,name,capacity,source\n"
    "s1,rabat,g1,North,500,user\n"
    "s2,rabat,g2,South,500,user\n"
)
TEAMS_CSV = "id,name,group\nMAR,Morocco,A\nCOM,Comoros,A\n"
MATCHES_CSV = (
    "id,kickoff,venue_id,stage,group,home,away,attendance,attendance_source\n"
    "A1,2025-12-21T20:00:00+01:00,rabat,group,A,MAR,COM,,\n"
)


def write_scenario(
    directory: Path,
    *,
    scenario: dict[str, object] | None = None,
    venues: list[dict[str, object]] | None = None,
    gates_csv: str = GATES_CSV,
    sectors_csv: str = SECTORS_CSV,
    teams_csv: str = TEAMS_CSV,
    matches_csv: str = MATCHES_CSV,
) -> Path:
    """Write a small valid scenario (one venue, two gates, one match); override any table."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scenario.yaml").write_text(yaml.safe_dump(scenario or SCENARIO))
    (directory / "venues.yaml").write_text(yaml.safe_dump(venues or VENUES, allow_unicode=True))
    (directory / "gates.csv").write_text(gates_csv)
    (directory / "sectors.csv").write_text(sectors_csv)
    (directory / "teams.csv").write_text(teams_csv)
    (directory / "matches.csv").write_text(matches_csv)
    return directory
