"""`opsroom users`: accounts from the command line, passwords never on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opsroom.cli import app

runner = CliRunner()


def test_add_list_disable(tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    added = runner.invoke(
        app,
        [
            "users",
            "add",
            "--agency",
            "MA-DGSN",
            "--role",
            "analyst",
            "--username",
            "salma",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
        env=env,
    )
    assert added.exit_code == 0, added.output
    assert "added salma (analyst, MA-DGSN)" in added.stdout
    again = runner.invoke(
        app,
        [
            "users",
            "add",
            "--agency",
            "MA-DGSN",
            "--role",
            "analyst",
            "--username",
            "salma",
            "--password-stdin",
        ],
        input="a long enough passphrase\n",
        env=env,
    )
    assert again.exit_code == 2 and "already exists" in again.stderr
    short = runner.invoke(
        app,
        [
            "users",
            "add",
            "--agency",
            "QA-MOI",
            "--role",
            "gate",
            "--username",
            "g1",
            "--password-stdin",
        ],
        input="short\n",
        env=env,
    )
    assert short.exit_code == 2 and "field 'password'" in short.stderr
    assert runner.invoke(app, ["users", "disable", "salma"], env=env).exit_code == 0
    listed = runner.invoke(app, ["users", "list"], env=env).stdout
    assert "salma\tMA-DGSN\tanalyst\tdisabled" in listed
