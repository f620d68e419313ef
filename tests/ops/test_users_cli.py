"""`opsroom users`: accounts from the command line, passwords never on the command line."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from opsroom.cli import app
from opsroom.errors import AuthenticationError
from opsroom.ops.identity import authenticate, credential_of, new_token, password_matches
from opsroom.store import create_database
from opsroom.store.ops_models import UserRow

runner = CliRunner()


def add(env: dict[str, str], username: str, password: str, *, role: str = "analyst") -> Result:
    arguments = ["users", "add", "--agency", "MA-DGSN", "--role", role, "--username", username]
    return runner.invoke(app, [*arguments, "--password-stdin"], input=f"{password}\n", env=env)


def test_add_list_disable(tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    added = add(env, "salma", "a long enough passphrase")
    assert added.exit_code == 0, added.output
    assert "added salma (analyst, MA-DGSN)" in added.stdout
    again = add(env, "salma", "a long enough passphrase")
    assert again.exit_code == 2 and "already exists" in again.stderr
    short = add(env, "g1", "short", role="gate")
    assert short.exit_code == 2 and "field 'password'" in short.stderr
    assert runner.invoke(app, ["users", "disable", "salma"], env=env).exit_code == 0
    listed = runner.invoke(app, ["users", "list"], env=env).stdout
    assert "salma\tMA-DGSN\tanalyst\tdisabled" in listed


def test_a_new_password_ends_every_session(tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    assert add(env, "salma", "a long enough passphrase").exit_code == 0
    database = create_database(env["OPSROOM_DATABASE_URL"])
    with database.transaction() as session:
        user_id = session.scalars(select(UserRow.id).where(UserRow.username == "salma")).one()
        tokens = [new_token(session, user_id, lifetime=timedelta(hours=1)) for _ in range(2)]
    changed = runner.invoke(
        app,
        ["users", "password", "salma", "--password-stdin"],
        input="another passphrase\n",
        env=env,
    )
    assert changed.exit_code == 0, changed.output
    for issued in tokens:
        with database.transaction() as session, pytest.raises(AuthenticationError, match="revoked"):
            authenticate(session, issued.access_token)
    with database.transaction() as session:
        credential = credential_of(session, "salma")
        assert password_matches(credential, "another passphrase")
    database.dispose()


def test_gate_accounts_are_bound_to_their_venues(tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    arguments = ["users", "add", "--agency", "QA-MOI", "--password-stdin"]
    venues = ["--venue", "lusail", "--venue", "al-bayt"]
    bound = runner.invoke(
        app,
        [*arguments, "--role", "gate", "--username", "g-north", *venues],
        input="a long enough passphrase\n",
        env=env,
    )
    assert bound.exit_code == 0, bound.output
    assert "added g-north (gate, QA-MOI, venues al-bayt, lusail)" in bound.stdout
    listed = runner.invoke(app, ["users", "list"], env=env).stdout
    assert "g-north\tQA-MOI\tgate\tactive\tal-bayt,lusail" in listed
    analyst = runner.invoke(
        app,
        [*arguments, "--role", "analyst", "--username", "a-north", "--venue", "lusail"],
        input="a long enough passphrase\n",
        env=env,
    )
    assert analyst.exit_code == 2 and "field 'venue'" in analyst.stderr
