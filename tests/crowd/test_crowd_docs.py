"""The crowd docs stay true: their example file is valid and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from opsroom.crowd.cli import app
from opsroom.crowd.network import parse_network

DOCS = Path(__file__).parents[2] / "docs" / "crowd.md"


def test_the_example_venue_file_is_valid() -> None:
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert block is not None
    network = parse_network(yaml.safe_load(block.group(1)), file="docs/crowd.md")
    assert network.venue.id == "tiny"


def test_every_command_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    assert names
    for name in names:
        assert f"opsroom crowd {name}" in text, name
