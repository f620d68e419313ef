"""``opsroom demo``: the system on the built-in Qatar 2022 scenario, from nothing typed but this."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from opsroom.config import load_settings
from opsroom.scenario import load_scenario
from opsroom.scenario.report import render_overview
from opsroom.store.db import create_database
from opsroom.store.migrate import upgrade
from opsroom.store.scenarios import read_scenario, save_scenario


def demo(
    scenario: Annotated[
        str, typer.Option(help="The scenario to load: built-in name or directory.")
    ] = "qatar2022",
) -> None:
    """Create the database, load the scenario into it and print its overview."""
    console = Console()
    settings = load_settings()
    database = create_database(settings.database_url)
    revision = upgrade(database)
    loaded = load_scenario(scenario)
    with database.transaction() as session:
        save_scenario(session, loaded, replace=True)
    with database.transaction() as session:
        stored = read_scenario(session, loaded.info.id)
    console.print(
        f"database {database.engine.url.render_as_string()} (schema {revision}): "
        f"scenario {stored.info.id} loaded"
    )
    render_overview(stored, console)
