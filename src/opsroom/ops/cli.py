"""``opsroom users``: accounts of the agencies' staff."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import select

from opsroom.config import load_settings
from opsroom.errors import InvalidInputError
from opsroom.ops.identity import create_user, set_disabled, set_password
from opsroom.ops.roles import Role
from opsroom.store import Database, create_database, upgrade
from opsroom.store.ops_models import UserRow

app = typer.Typer(help="User accounts: add, disable, enable, password, list.", no_args_is_help=True)


def _password(prompt: str, from_stdin: bool) -> str:
    """The password: a line of standard input with ``--password-stdin``, else asked twice on the
    terminal; with neither (a script, a pipe) an error saying what to do, before any prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise InvalidInputError(
            "no terminal to ask for the password on: pass it on standard input with "
            "--password-stdin"
        )
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _database() -> Database:
    database = create_database(load_settings().database_url)
    upgrade(database)
    return database


@app.command("add")
def add(
    agency: Annotated[str, typer.Option(help="Agency id, e.g. QA-MOI; created on first use.")],
    role: Annotated[Role, typer.Option(help="What the user may do.")],
    username: Annotated[str, typer.Option(help="Sign-in name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    venue: Annotated[
        list[str] | None,
        typer.Option(
            "--venue",
            help="A venue a gate account may post scans for (repeat for several); a gate "
            "account with none may post for no venue.",
        ),
    ] = None,
) -> None:
    """Add a user; the password is asked for, or read from standard input."""
    password = _password("Password", password_stdin)
    with _database().transaction() as session:
        user = create_user(
            session,
            username=username,
            password=password,
            agency_id=agency,
            role=role,
            venues=venue or (),
        )
    bound = f", venues {', '.join(sorted(user.venues))}" if user.venues else ""
    typer.echo(f"added {user.username} ({user.role.value}, {user.agency_id}{bound})")
    if user.role is Role.GATE and not user.venues:
        typer.echo("note: a gate account without --venue may post scans for no venue", err=True)


@app.command("disable")
def disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user: every session of theirs ends at once."""
    with _database().transaction() as session:
        set_disabled(session, username, True)
    typer.echo(f"disabled {username}")


@app.command("password")
def password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Give a user a new password: every token they hold is revoked, their streams close."""
    new_password = _password("New password", password_stdin)
    with _database().transaction() as session:
        set_password(session, username, new_password)
    typer.echo(f"new password set for {username}; their sessions have ended")


@app.command("enable")
def enable(username: Annotated[str, typer.Argument()]) -> None:
    with _database().transaction() as session:
        set_disabled(session, username, False)
    typer.echo(f"enabled {username}")


@app.command("list")
def list_users() -> None:
    with _database().transaction() as session:
        for user in session.scalars(select(UserRow).order_by(UserRow.username)):
            state = "disabled" if user.disabled else "active"
            venues = f"\t{','.join(user.venues)}" if user.venues else ""
            typer.echo(f"{user.username}\t{user.agency_id}\t{user.role}\t{state}{venues}")
