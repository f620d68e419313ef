"""`opsroom users`: accounts from the command line, passwords never on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from opsroom.cli import app

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
