"""``opsroom audit``: check the audit log's hash chain, print its head."""

from __future__ import annotations

from typing import Annotated

import typer

from opsroom.config import load_settings
from opsroom.errors import InvalidInputError, Problem
from opsroom.ops.audit import Head, verify_chain
from opsroom.store import create_database

app = typer.Typer(help="The audit log: verify its chain, print its head.", no_args_is_help=True)


def _parse_head(text: str | None) -> Head | None:
    if text is None:
        return None
    try:
        return Head.parse(text)
    except ValueError as exc:
        raise InvalidInputError(
            "--expect-head refused", [Problem(str(exc), field="--expect-head")]
        ) from None


@app.command("verify")
def verify(
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head",
            help="A head printed earlier by `opsroom audit head` (SEQ:HASH): the log must "
            "still hold that row with that hash.",
        ),
    ] = None,
) -> None:
    """Recompute the chain; exit 0 with the row count when sound, 1 naming the first bad row."""
    expect = _parse_head(expect_head)
    database = create_database(load_settings().database_url)
    try:
        with database.transaction() as session:
            verdict = verify_chain(session, expect=expect)
    finally:
        database.dispose()
    if not verdict.ok:
        typer.echo(f"audit log BROKEN: {verdict.problem}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"audit log sound: {verdict.rows} rows, head {verdict.head}")


@app.command("head")
def head() -> None:
    """Print the head (SEQ:HASH) of a sound chain; keep it outside the database as an anchor."""
    database = create_database(load_settings().database_url)
    try:
        with database.transaction() as session:
            verdict = verify_chain(session)
    finally:
        database.dispose()
    if not verdict.ok:
        typer.echo(f"audit log BROKEN: {verdict.problem}", err=True)
        raise typer.Exit(code=1)
    typer.echo(str(verdict.head))
