"""Every roster command is documented."""

from __future__ import annotations

from pathlib import Path

from opsroom.deployment.cli import app

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_every_roster_command_appears_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    assert names == {"benchmark", "demand", "plan", "check", "repair"}
    for name in names:
        assert f"opsroom roster {name}" in text, name
