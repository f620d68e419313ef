"""Careless input to every command that reads a file: one line naming the file, exit code 2.

Each file-taking command is fed, in place of one of its files, random bytes, an empty file, Latin-1
text, UTF-16 text and a directory; none of them may end in a traceback. The commands are listed
from ``opsroom --help``; a test below fails when a command gains a path option that is not here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from opsroom.cli import app
from opsroom.deployment.workforce_io import generate_workforce, write_workforce
from opsroom.scenario import load_scenario
from tests.factories import write_scenario

runner = CliRunner()

KINDS: dict[str, bytes | None] = {
    "binary": b"PK\x03\x04\x14\x00\x08\x00" + random.Random(22).randbytes(4096),  # a zip
    "empty": b"",
    "latin-1": "nom,prénom,né le\nJosé,Müller,1980\n".encode("latin-1"),
    "utf-16": "officer_id,agency\nO1,police\n".encode("utf-16"),
    "directory": None,
}
ROSTER_HEADER = "officer_id,agency,post_id,venue_id,start,end\n"


@dataclass(frozen=True)
class Case:
    """A command line with one bad input: ``bad`` is where the careless file goes (relative to
    the case's folder) and ``named`` what the error must name (the file, or its folder)."""

    args: Callable[[Path, Path], list[str]]  # (good files, the bad path) -> arguments
    bad: str
    named: str | None = None


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Well-formed files for the inputs a case does not break."""
    good = tmp_path_factory.mktemp("good")
    (good / "watchlist.csv").write_text(
        "id,name,aliases,birth_date,nationality,doc_number\nW1,Ahmed Ali,,,,\n", encoding="utf-8"
    )
    (good / "people.csv").write_text(
        "id,name,birth_date,nationality,doc_number\nP1,John Smith,,,\n", encoding="utf-8"
    )
    officers = generate_workforce(load_scenario("qatar2022"), officers=8, partners=2, seed=0)
    write_workforce(good / "workforce.csv", officers)
    (good / "roster.csv").write_text(ROSTER_HEADER, encoding="utf-8")
    (good / "dropouts.csv").write_text("officer_id,from\n", encoding="utf-8")
    (good / "counts.csv").write_text("checkpoint_id,start,end,count\n", encoding="utf-8")
    return good


M01 = ["--matches", "M01"]
AS_OF = "2022-11-20T17:00:00+03:00"
KICKOFF = "2022-11-20T19:00:00+03:00"
# fmt: off
CASES: dict[str, Case] = {
    # key: the command and the option (or argument) given the careless file; "#..." a variant
    "screen --watchlist": Case(
        lambda g, b: [
            "screen", "--watchlist", str(b), "--people", str(g / "people.csv"),
            "--out", str(b.parent / "hits.csv"),
        ],
        "watchlist.csv",
    ),
    "screen --people": Case(
        lambda g, b: [
            "screen", "--watchlist", str(g / "watchlist.csv"), "--people", str(b),
            "--out", str(b.parent / "hits.csv"),
        ],
        "people.csv",
    ),
    "screen --equivalences": Case(
        lambda g, b: [
            "screen", "--watchlist", str(g / "watchlist.csv"), "--people", str(g / "people.csv"),
            "--out", str(b.parent / "hits.csv"), "--equivalences", str(b),
        ],
        "equivalences.csv",
    ),
    "screen name --watchlist": Case(
        lambda g, b: ["screen", "name", "Ahmed Ali", "--watchlist", str(b)], "watchlist.csv"
    ),
    "screen name --equivalences": Case(
        lambda g, b: [
            "screen", "name", "Ahmed Ali", "--watchlist", str(g / "watchlist.csv"),
            "--equivalences", str(b),
        ],
        "equivalences.csv",
    ),
    "crowd nowcast --counts": Case(
        lambda g, b: [
            "crowd", "nowcast", "--counts", str(b), "--as-of", AS_OF,
            "--scenario", "qatar2022", "--match", "M01",
        ],
        "counts.csv",
    ),
    "crowd nowcast --venue": Case(
        lambda g, b: [
            "crowd", "nowcast", "--counts", str(g / "counts.csv"), "--as-of", AS_OF,
            "--venue", str(b), "--kickoff", KICKOFF,
        ],
        "venue.yaml",
    ),
    "crowd forecast --profile": Case(
        lambda g, b: [
            "crowd", "forecast", "--scenario", "qatar2022", "--match", "M01",
            "--profile", str(b), "--out", str(b.parent / "out"),
        ],
        "profile.yaml",
    ),
    "crowd forecast --profile#counts": Case(
        lambda g, b: [
            "crowd", "forecast", "--scenario", "qatar2022", "--match", "M01",
            "--profile", f"{b}@{KICKOFF}", "--out", str(b.parent / "out"),
        ],
        "past-counts.csv",
    ),
    "crowd forecast --venue": Case(
        lambda g, b: [
            "crowd", "forecast", "--venue", str(b), "--kickoff", KICKOFF,
            "--out", str(b.parent / "out"),
        ],
        "venue.yaml",
    ),
    "crowd plan --venue": Case(
        lambda g, b: ["crowd", "plan", "--venue", str(b), "--kickoff", KICKOFF], "venue.yaml"
    ),
    "crowd plan --profile": Case(
        lambda g, b: [
            "crowd", "plan", "--scenario", "qatar2022", "--match", "M01", "--profile", str(b),
        ],
        "profile.yaml",
    ),
    "crowd replay name": Case(lambda g, b: ["crowd", "replay", str(b.parent)], "replay.yaml", "."),
    "crowd calibrate --data": Case(
        lambda g, b: ["crowd", "calibrate", "--data", str(b.parent)], "040_c_56_h-.txt"
    ),
    "crowd network --scenario": Case(
        lambda g, b: ["crowd", "network", "rabat", "--scenario", str(b.parent)], "venues.yaml", "."
    ),
    "crowd day --scenario": Case(
        lambda g, b: ["crowd", "day", "--scenario", str(b.parent), "--date", "2025-12-21"],
        "venues.yaml",
        ".",
    ),
    "roster benchmark --instance": Case(
        lambda g, b: [
            "roster", "benchmark", "--instance", str(b), "--time-limit", "0.1",
            "--out", str(b.parent / "solution.csv"),
        ],
        "Instance1.txt",
    ),
    "roster demand --rules": Case(
        lambda g, b: ["roster", "demand", "--rules", str(b), *M01], "rules.yaml"
    ),
    "roster demand --scenario": Case(
        lambda g, b: ["roster", "demand", "--scenario", str(b.parent)], "venues.yaml", "."
    ),
    "roster plan --workforce": Case(
        lambda g, b: [
            "roster", "plan", "--workforce", str(b), "--out", str(b.parent / "roster.csv"), *M01,
        ],
        "workforce.csv",
    ),
    "roster plan --rules": Case(
        lambda g, b: [
            "roster", "plan", "--workforce", str(g / "workforce.csv"), "--rules", str(b),
            "--out", str(b.parent / "roster.csv"), *M01,
        ],
        "rules.yaml",
    ),
    "roster check roster": Case(
        lambda g, b: ["roster", "check", str(b), "--workforce", str(g / "workforce.csv"), *M01],
        "roster.csv",
    ),
    "roster check --workforce": Case(
        lambda g, b: ["roster", "check", str(g / "roster.csv"), "--workforce", str(b), *M01],
        "workforce.csv",
    ),
    "roster check --rules": Case(
        lambda g, b: [
            "roster", "check", str(g / "roster.csv"), "--workforce", str(g / "workforce.csv"),
            "--rules", str(b), *M01,
        ],
        "rules.yaml",
    ),
    "roster repair roster": Case(
        lambda g, b: [
            "roster", "repair", str(b), "--dropouts", str(g / "dropouts.csv"),
            "--workforce", str(g / "workforce.csv"), "--out", str(b.parent / "repaired.csv"), *M01,
        ],
        "roster.csv",
    ),
    "roster repair --dropouts": Case(
        lambda g, b: [
            "roster", "repair", str(g / "roster.csv"), "--dropouts", str(b),
            "--workforce", str(g / "workforce.csv"), "--out", str(b.parent / "repaired.csv"), *M01,
        ],
        "dropouts.csv",
    ),
    "roster repair --workforce": Case(
        lambda g, b: [
            "roster", "repair", str(g / "roster.csv"), "--dropouts", str(g / "dropouts.csv"),
            "--workforce", str(b), "--out", str(b.parent / "repaired.csv"), *M01,
        ],
        "workforce.csv",
    ),
    "roster repair --rules": Case(
        lambda g, b: [
            "roster", "repair", str(g / "roster.csv"), "--dropouts", str(g / "dropouts.csv"),
            "--workforce", str(g / "workforce.csv"), "--rules", str(b),
            "--out", str(b.parent / "repaired.csv"), *M01,
        ],
        "rules.yaml",
    ),
    "scenario validate directory": Case(
        lambda g, b: ["scenario", "validate", str(b.parent)], "venues.yaml", "."
    ),
    "scenario show scenario": Case(
        lambda g, b: ["scenario", "show", str(b.parent)], "venues.yaml", "."
    ),
    "db load-scenario scenario": Case(
        lambda g, b: ["db", "load-scenario", str(b.parent)], "venues.yaml", "."
    ),
}
# fmt: on
SCENARIO_FOLDER_FILES = {"venues.yaml"}


def _invoke(args: list[str], workdir: Path) -> Result:
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{workdir / 'cli.db'}", "COLUMNS": "200"}
    return runner.invoke(app, args, env=env)


def _assert_one_error_line(result: Result, named: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{result.output}"
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert named in errors[0], result.stderr


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("case", list(CASES))
def test_a_careless_file_is_one_error_line(
    case: str, kind: str, tmp_path: Path, good: Path
) -> None:
    spec = CASES[case]
    folder = tmp_path / "input"
    if spec.bad in SCENARIO_FOLDER_FILES:
        write_scenario(folder)
        (folder / "venues.yaml").unlink()
    folder.mkdir(exist_ok=True)
    bad = folder / spec.bad
    content = KINDS[kind]
    if content is None:
        bad.mkdir()
    else:
        bad.write_bytes(content)
    named = str(folder) if spec.named == "." else str(bad)
    _assert_one_error_line(_invoke(spec.args(good, bad), tmp_path), named)


def _path_inputs(command: object, path: tuple[str, ...] = ()) -> set[str]:
    """Every option or argument of type Path in the command tree, as "command option"."""
    found: set[str] = set()
    for name, sub in getattr(command, "commands", {}).items():
        found |= _path_inputs(sub, (*path, name))
    for param in getattr(command, "params", []):
        if getattr(param.type_descriptor, "annotation", None) is Path:
            found.add(" ".join((*path, param.opts[0])))
    return found


def test_every_file_input_has_a_case() -> None:
    """Inputs only: the outputs (--out, --chart, --workforce-out, --database) are written."""
    inputs = _path_inputs(typer.main.get_command(app))
    outputs = {"--out", "--chart", "--workforce-out", "--database"}
    missing = {i for i in inputs if i.split()[-1] not in outputs} - {
        key.split("#")[0] for key in CASES
    }
    assert len(inputs) > 20 and not missing, f"file inputs without a careless-input case: {missing}"


def test_a_database_that_refuses_connections_is_one_error_line(tmp_path: Path) -> None:
    env = {"OPSROOM_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"}
    for args in (["db", "status"], ["db", "upgrade"], ["users", "list"], ["audit", "head"]):
        result = runner.invoke(app, args, env=env)
        _assert_one_error_line(result, "OPSROOM_DATABASE_URL")


def test_a_sqlite_file_in_a_missing_folder_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "opsroom.db"
    env = {"OPSROOM_DATABASE_URL": f"sqlite:///{path}"}
    for args in (["db", "status"], ["db", "upgrade"], ["users", "list"]):
        result = runner.invoke(app, args, env=env)
        _assert_one_error_line(result, str(path.parent))
    assert not path.parent.exists()


def test_a_row_the_csv_reader_refuses_names_the_file_and_line(tmp_path: Path, good: Path) -> None:
    """A stray quote that opens a field running past the CSV reader's limit (128 KiB)."""
    people = tmp_path / "people.csv"
    people.write_text(
        'id,name,birth_date,nationality,doc_number\nP1,John,,,\nP2,"' + "x" * 200_000,
        encoding="utf-8",
    )
    args = ["screen", "--watchlist", str(good / "watchlist.csv"), "--people", str(people)]
    result = _invoke([*args, "--out", str(tmp_path / "hits.csv")], tmp_path)
    _assert_one_error_line(result, f"{people}, line 3: not valid CSV")


def test_a_misspelt_scenario_folder_is_no_such_directory(tmp_path: Path) -> None:
    missing = tmp_path / "my-scenari0"
    result = _invoke(["scenario", "validate", str(missing)], tmp_path)
    _assert_one_error_line(result, f"no such directory: {missing}")
    assert "missing file" not in result.output
    a_file = tmp_path / "scenario.yaml"
    a_file.write_text("id: x\n", encoding="utf-8")
    result = _invoke(["scenario", "validate", str(a_file)], tmp_path)
    _assert_one_error_line(result, f"{a_file} is not a directory")


AGENCIES = (
    "- {id: MA-DGSN, name: Sûreté Nationale, country: MA, kind: host}\n"
    "- {id: FR-PN, name: Police nationale, country: FR, kind: partner}\n"
)


def test_a_roster_run_replaces_every_output_of_the_previous_one(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path / "mini")
    (scenario / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    out = tmp_path / "plan" / "roster.csv"
    out.parent.mkdir()
    shortfalls, workforce = (
        out.with_name("roster-shortfalls.csv"),
        out.with_name("roster-workforce.csv"),
    )

    def plan(officers: int, *extra: str) -> Result:
        args = ["roster", "plan", "--scenario", str(scenario), "--generate", str(officers)]
        return _invoke([*args, "--out", str(out), "--time-limit-per-pool", "2", *extra], tmp_path)

    result = plan(6, "--allow-gaps")  # too few officers: a roster with gaps, and its shortfalls
    assert result.exit_code == 0, result.output
    assert shortfalls.is_file() and out.is_file() and workforce.is_file()

    result = plan(160)  # enough: no shortfall, so the previous run's list must go
    assert result.exit_code == 0, result.output
    assert not shortfalls.exists(), "a stale shortfalls file beside a roster without gaps"
    before = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    assert set(before) == {"roster.csv", "roster-workforce.csv"}

    result = plan(160, "--matches", "Z9")  # fails on its input: nothing changes
    assert result.exit_code == 2, result.output
    assert {p.name: p.read_bytes() for p in out.parent.iterdir()} == before

    result = plan(6)  # fails for gaps: only its report is added, the roster stays
    assert result.exit_code == 2 and "is still an earlier run's roster" in result.stderr
    after = {p.name: p.read_bytes() for p in out.parent.iterdir()}
    assert after.pop("roster-shortfalls.csv") and after == before


def test_a_password_without_a_terminal_says_to_use_password_stdin(tmp_path: Path) -> None:
    for args in (
        ["users", "add", "--agency", "QA-MOI", "--role", "viewer", "--username", "salma"],
        ["users", "password", "salma"],
    ):
        result = runner.invoke(app, args, input="", env={"OPSROOM_DATABASE_URL": "sqlite://"})
        _assert_one_error_line(result, "--password-stdin")
        assert "Aborted" not in result.output and "Password" not in result.output
