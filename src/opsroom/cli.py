"""The ``opsroom`` command: one sub-command group per domain, each delegating at once.

Errors of ours (:class:`opsroom.errors.OpsroomError`), a database that cannot be reached and a
file that cannot be written become one message on stderr and exit code 2, for every sub-command,
in one place; files are read through :mod:`opsroom.files`, whose errors name the file.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from typer.core import TyperGroup

from opsroom.api.cli import serve
from opsroom.crowd.cli import app as crowd_app
from opsroom.demo import demo
from opsroom.deployment.cli import app as roster_app
from opsroom.errors import OpsroomError
from opsroom.ops.audit_cli import app as audit_app
from opsroom.ops.cli import app as users_app
from opsroom.scenario.cli import app as scenario_app
from opsroom.screening.cli import app as screen_app
from opsroom.store.cli import app as db_app
from opsroom.store.db import DATABASE_NOTE

USER_ERROR_EXIT_CODE = 2


def _database_message(exc: DBAPIError) -> str:
    """One line for a database that cannot be reached or used: which one, and the driver's
    reason (its first line: the rest is advice about servers)."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    notes = getattr(exc, "__notes__", ())
    url = next((n.removeprefix(DATABASE_NOTE) for n in notes if n.startswith(DATABASE_NOTE)), "")
    named = f"the database {url}" if url else "the database"
    return f"cannot use {named} (OPSROOM_DATABASE_URL): {reason}"


def _message(exc: Exception) -> str | None:
    """The message for an error the user can fix, or None for a fault of ours (a traceback)."""
    if isinstance(exc, OpsroomError):
        return str(exc)
    if isinstance(exc, OperationalError | InterfaceError):
        return _database_message(exc)
    if isinstance(exc, OSError) and exc.filename is not None:  # an output we cannot write
        return f"{exc.filename}: {exc.strerror or exc}"
    return None


class _OpsroomGroup(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (OpsroomError, OperationalError, InterfaceError, OSError) as exc:
            message = _message(exc)
            if message is None:
                raise
            Console(stderr=True, highlight=False).print(
                f"[bold red]error:[/] {escape(message)}", soft_wrap=True
            )
            raise typer.Exit(code=USER_ERROR_EXIT_CODE) from exc


app = typer.Typer(
    name="opsroom",
    cls=_OpsroomGroup,
    help="The joint security operations room for mega sporting events.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(scenario_app, name="scenario")
app.add_typer(screen_app, name="screen")
app.add_typer(crowd_app, name="crowd")
app.add_typer(roster_app, name="roster")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command()(serve)
app.command()(demo)


def main() -> None:
    """Entry point of the console script."""
    app()
