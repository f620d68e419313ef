"""The scenario commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.scenario import load_scenario
from tests.factories import MATCHES_CSV, write_scenario

runner = CliRunner()


def test_show_json_has_venues_and_matches() -> None:
    result = runner.invoke(app, ["scenario", "show", "qatar2022", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert len(data["venues"]) == 8 and len(data["matches"]) == 64
    lusail = next(v for v in data["venues"] if v["id"] == "lusail")
    assert {"name", "capacity", "lat", "lon", "gates"} <= set(lusail)
    final = data["matches"][-1]
    assert final["kickoff"] == "2022-12-18T18:00:00+03:00"
    assert (final["home"], final["away"], final["attendance"]) == ("ARG", "FRA", 88966)
    assert data["matches"][0]["attendance"] is None


def test_show_prints_tables() -> None:
    result = runner.invoke(app, ["scenario", "show", "qatar2022"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Lusail Stadium" in result.stdout and "88,966" in result.stdout
    assert "64 matches on 23 days" in result.stdout


def test_schema_describes_the_builtin_scenario() -> None:
    result = runner.invoke(app, ["scenario", "schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    document = load_scenario("qatar2022").to_document().model_dump(mode="json")
    jsonschema.validate(document, schema)
    document["venues"][0]["capacity"] = -1
    try:
        jsonschema.validate(document, schema)
    except jsonschema.ValidationError as exc:
        assert "capacity" in str(exc.path) or exc.validator == "exclusiveMinimum"
    else:  # pragma: no cover - the schema must refuse a negative capacity
        raise AssertionError("a negative capacity passed the schema")


def test_validate_reports_and_exits_non_zero(tmp_path: Path) -> None:
    good = write_scenario(tmp_path / "good")
    assert runner.invoke(app, ["scenario", "validate", str(good)]).exit_code == 0
    bad = write_scenario(tmp_path / "bad", matches_csv=MATCHES_CSV.replace(",rabat,", ",fes,"))
    result = runner.invoke(app, ["scenario", "validate", str(bad)])
    assert result.exit_code == 2
    assert "matches.csv, row 2, field 'venue_id': unknown venue 'fes'" in result.stderr
