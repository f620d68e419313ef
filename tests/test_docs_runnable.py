"""The command blocks the docs mark runnable run as written, and exit 0.

A fenced block in README.md or docs/*.md is run when the line before its fence is
``<!-- runnable -->``: every line is one ``opsroom`` command (a trailing ``\\`` continues it,
``#`` starts a comment). A block after ``<!-- runnable file: PATH -->`` is a file the commands
read: its text is written to PATH first. Each document runs in a temporary directory of its own,
its blocks in order, so whatever a command writes lands there. Blocks are kept to commands that
take seconds.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from opsroom.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MARKER = re.compile(r"^<!-- runnable(?: file: (?P<path>\S+))? -->$")
FENCE = re.compile(r"^(```+)")
TIMEOUT_S = 300  # a safety net only: each block takes seconds


@dataclass(frozen=True)
class Step:
    """A file to write (``path`` set) or commands to run, from one marked block."""

    line: int
    text: str
    path: str | None = None

    def commands(self) -> list[list[str]]:
        """The block's commands as argument lists, continuation lines joined, comments dropped."""
        joined = re.sub(r"\\\n", " ", self.text)
        return [args for line in joined.splitlines() if (args := shlex.split(line, comments=True))]


def marked_blocks(document: Path) -> list[Step]:
    """Every block of a document marked runnable, in order."""
    lines = document.read_text(encoding="utf-8").splitlines()
    steps = []
    for number, line in enumerate(lines[:-1]):
        marker = MARKER.match(line.strip())
        fence = FENCE.match(lines[number + 1])
        if marker is None:
            continue
        assert fence is not None, f"{document.name}:{number + 1}: a marker must precede a fence"
        end = next(
            (i for i in range(number + 2, len(lines)) if lines[i].startswith(fence.group(1))),
            None,
        )
        assert end is not None, f"{document.name}:{number + 2}: the fence is never closed"
        body = "".join(f"{text}\n" for text in lines[number + 2 : end])
        steps.append(Step(line=number + 2, text=body, path=marker.group("path")))
    return steps


RUNNABLE = [d for d in DOCUMENTS if marked_blocks(d)]


def test_the_docs_of_every_part_hold_runnable_blocks() -> None:
    names = {d.relative_to(ROOT).as_posix() for d in RUNNABLE}
    assert names >= {
        "README.md",
        "docs/scenario.md",
        "docs/crowd.md",
        "docs/deployment.md",
        "docs/screening.md",
    }


@pytest.mark.parametrize("document", RUNNABLE, ids=lambda d: d.name)
def test_runnable_blocks_exit_zero(document: Path, tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPSROOM_")}
    environment |= {
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT / "src"), environment.get("PYTHONPATH")) if p
        ),
        "OPSROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'opsroom.db'}",
        "COLUMNS": "120",
    }
    for step in marked_blocks(document):
        where = f"{document.name}:{step.line}"
        if step.path is not None:
            relative = PurePosixPath(step.path)
            assert not relative.is_absolute() and ".." not in relative.parts, where
            target = tmp_path / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text, encoding="utf-8")
            continue
        commands = step.commands()
        assert commands, f"{where}: a runnable block without a command"
        for args in commands:
            assert args[0] == "opsroom", f"{where}: only opsroom commands run: {args}"
            done = subprocess.run(
                [sys.executable, "-m", "opsroom", *args[1:]],
                cwd=tmp_path,
                env=environment,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
            assert done.returncode == 0, (
                f"{where}: {shlex.join(args)} exited {done.returncode}\n"
                f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            )


def test_roster_check_without_a_workforce_beside_the_roster_says_what_to_give(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text("officer_id,agency,post_id,venue_id,start,end\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["roster", "check", str(roster), "--matches", "M01"])
    assert result.exit_code == 2
    assert (
        f"no --workforce given and {tmp_path / 'roster-workforce.csv'} (the workforce that "
        "roster plan --generate writes beside roster.csv) does not exist: give --workforce FILE"
    ) in result.stderr
