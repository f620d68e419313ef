"""The ``opsroom`` command: one sub-command group per domain, each delegating at once.

Errors of ours (:class:`opsroom.errors.OpsroomError`) become a message on stderr and exit code 2,
for every sub-command, in one place.
"""

from __future__ import annotations

from typing import IO, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from opsroom.errors import OpsroomError
from opsroom.scenario.cli import app as scenario_app


class _UserError(click.ClickException):
    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        Console(stderr=True, file=file, highlight=False).print(
            f"[bold red]error:[/] {escape(self.message)}", markup=True
        )


class _OpsroomGroup(TyperGroup):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OpsroomError as exc:
            raise _UserError(str(exc)) from exc


app = typer.Typer(
    name="opsroom",
    cls=_OpsroomGroup,
    help="The joint security operations room for mega sporting events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(scenario_app, name="scenario")


def main() -> None:
    """Entry point of the console script."""
    app()
