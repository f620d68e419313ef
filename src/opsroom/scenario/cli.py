"""``opsroom scenario``: show, validate and describe tournament scenarios."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from opsroom.scenario.checks import venue_clashes
from opsroom.scenario.io import load_scenario, read_scenario_dir
from opsroom.scenario.model import ScenarioDocument
from opsroom.scenario.report import overview_json, render_overview

app = typer.Typer(
    help="Tournament scenarios: venues, gates, transport, matches.", no_args_is_help=True
)


@app.command()
def show(
    scenario: Annotated[
        str, typer.Argument(help="A built-in scenario (qatar2022) or a directory.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """Print an overview: venues with their capacities and matches per day."""
    loaded = load_scenario(scenario)
    if as_json:
        typer.echo(overview_json(loaded))
    else:
        render_overview(loaded, Console())


@app.command()
def validate(
    directory: Annotated[Path, typer.Argument(help="A scenario directory of YAML or CSV files.")],
) -> None:
    """Check a user scenario; every problem is listed with its file, row and field.

    A valid scenario may still draw warnings (exit code 0): two matches at one venue within a
    few hours of each other.
    """
    loaded = read_scenario_dir(directory)
    typer.echo(
        f"{directory}: valid: {len(loaded.venues)} venues, {len(loaded.gates)} gates, "
        f"{len(loaded.matches)} matches"
    )
    for clash in venue_clashes(loaded):
        typer.echo(f"warning: {clash.message}", err=True)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a scenario (every table and field)."""
    document = ScenarioDocument.model_json_schema()
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "opsroom scenario"
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
