"""``opsroom db``: create or upgrade the database and load scenarios into it."""

from __future__ import annotations

from typing import Annotated

import typer

from opsroom.config import load_settings
from opsroom.scenario import load_scenario
from opsroom.store.db import create_database
from opsroom.store.migrate import current_revision, head_revision, upgrade
from opsroom.store.scenarios import list_scenarios, save_scenario

app = typer.Typer(help="The database: migrations and scenario loading.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command() -> None:
    """Apply every migration (creates the SQLite file if needed)."""
    settings = load_settings()
    database = create_database(settings.database_url)
    revision = upgrade(database)
    typer.echo(f"database {database.engine.url.render_as_string()} at revision {revision}")


@app.command("status")
def status_command() -> None:
    """Show the schema revision and the scenarios loaded."""
    settings = load_settings()
    database = create_database(settings.database_url)
    current, head = current_revision(database), head_revision(database)
    state = "up to date" if current == head else f"needs upgrade to {head}"
    typer.echo(f"database {database.engine.url.render_as_string()}: revision {current} ({state})")
    if current is not None:
        with database.transaction() as session:
            for row in list_scenarios(session):
                typer.echo(
                    f"  scenario {row.id}: {row.name} (loaded {row.loaded_at:%Y-%m-%d %H:%M} UTC)"
                )


@app.command("load-scenario")
def load_scenario_command(
    scenario: Annotated[
        str, typer.Argument(help="A built-in scenario (qatar2022) or a directory.")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite the scenario if it is already loaded.")
    ] = False,
) -> None:
    """Validate a scenario, then write it to the database in one transaction."""
    loaded = load_scenario(scenario)
    settings = load_settings()
    database = create_database(settings.database_url)
    upgrade(database)
    with database.transaction() as session:
        save_scenario(session, loaded, replace=replace)
    typer.echo(
        f"loaded scenario {loaded.info.id}: {len(loaded.venues)} venues, {len(loaded.gates)} "
        f"gates, {len(loaded.matches)} matches"
    )
