"""Views of a scenario for people (rich tables) and for programs (a JSON overview)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console, Group
from rich.table import Table

from opsroom.scenario.scenario import Scenario


def overview_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario's venues (with gates, sectors, transport) and matches as plain JSON values."""
    venues = []
    for venue in scenario.venues:
        record = venue.model_dump(mode="json")
        record["gates"] = [g.model_dump(mode="json") for g in scenario.gates_of(venue.id)]
        record["sectors"] = [s.model_dump(mode="json") for s in scenario.sectors_of(venue.id)]
        record["transport"] = [t.model_dump(mode="json") for t in scenario.transport_of(venue.id)]
        venues.append(record)
    matches = [m.model_dump(mode="json") for m in scenario.matches]
    return {
        "scenario": scenario.info.model_dump(mode="json"),
        "agencies": [a.model_dump(mode="json") for a in scenario.agencies],
        "teams": [t.model_dump(mode="json") for t in scenario.teams],
        "venues": venues,
        "matches": matches,
    }


def overview_json(scenario: Scenario) -> str:
    return json.dumps(overview_dict(scenario), ensure_ascii=False, indent=2)


def _venue_table(scenario: Scenario) -> Table:
    table = Table(title=f"Venues of {scenario.info.name}", title_justify="left")
    for column, justify in (
        ("venue", "left"),
        ("city", "left"),
        ("capacity (seats)", "right"),
        ("gates", "right"),
        ("screening lanes", "right"),
        ("turnstiles", "right"),
        ("arrive by", "left"),
        ("matches", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for venue in scenario.venues:
        gates = scenario.gates_of(venue.id)
        transport = ", ".join(
            f"{node.kind.value.replace('_', ' ')} {node.arrival_share:.0%}"
            for node in scenario.transport_of(venue.id)
        )
        table.add_row(
            venue.name,
            venue.city,
            f"{venue.capacity:,}",
            str(len(gates)),
            str(sum(g.screening_lanes for g in gates)),
            str(sum(g.turnstiles for g in gates)),
            transport,
            str(len(scenario.matches_at(venue.id))),
        )
    total = sum(v.capacity for v in scenario.venues)
    table.caption = f"{len(scenario.venues)} venues, {total:,} seats in all"
    return table


def _day_table(scenario: Scenario) -> Table:
    table = Table(title="Matches per day (local kick-off)", title_justify="left")
    table.add_column("date")
    table.add_column("n", justify="right")
    table.add_column("matches")
    by_day: dict[str, list[str]] = defaultdict(list)
    for match in scenario.matches:
        venue = scenario.venue(match.venue_id)
        local = match.kickoff.astimezone(ZoneInfo(venue.timezone))
        teams = f"{match.home or '?'}–{match.away or '?'}"
        by_day[local.strftime("%a %d %b %Y")].append(
            f"{local:%H:%M} {teams} ({venue.name}, {match.stage.value.replace('_', ' ')})"
        )
    for day, entries in by_day.items():
        table.add_row(day, str(len(entries)), "\n".join(entries))
    table.caption = f"{len(scenario.matches)} matches on {len(by_day)} days"
    return table


def render_overview(scenario: Scenario, console: Console) -> None:
    """Print the venues table and the matches-per-day table."""
    info = scenario.info
    console.print(
        f"[bold]{info.name}[/] ({info.id}), {info.start_date} to {info.end_date}, "
        f"time zone {info.timezone}"
    )
    console.print(Group(_venue_table(scenario), _day_table(scenario)))
