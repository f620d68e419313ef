from __future__ import annotations

import json
from pathlib import Path

from crowd_factories import tiny_document
from typer.testing import CliRunner

from opsroom.cli import app
from opsroom.crowd.network import dump_network, parse_network

runner = CliRunner()


def test_schema_command_prints_the_network_schema() -> None:
    result = runner.invoke(app, ["crowd", "schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "opsroom venue network"


def test_forecast_a_scenario_match_writes_json_and_charts(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "crowd",
            "forecast",
            "--scenario",
            "qatar2022",
            "--match",
            "M01",
            "--out",
            str(tmp_path),
            "--servers",
            "al-bayt-g1=4",
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "critical" in result.stdout and "Gate 1 (North) perimeter screening" in result.stdout
    document = json.loads((tmp_path / "forecast.json").read_text(encoding="utf-8"))
    gate = next(s for s in document["stations"] if s["id"] == "al-bayt/al-bayt-g1")
    assert gate["peak"]["max_wait_min"] > 30
    assert gate["peak"]["los"] in "ABCDEF"
    assert len(gate["series"]["queue"]) == len(document["series_minutes_from_kickoff"])
    assert gate["series"]["los"][0] == "A"
    assert set(gate["series"]["los"]) <= set("ABCDEF") and len(set(gate["series"]["los"])) > 1
    assert document["alerts"][0]["station_id"] == "al-bayt/al-bayt-g1"
    assert (tmp_path / "queue_wait.png").stat().st_size > 1000
    assert (tmp_path / "cumulative.png").stat().st_size > 1000


def test_forecast_and_plan_a_venue_file(tmp_path: Path) -> None:
    venue = tmp_path / "ground.yaml"
    venue.write_text(dump_network(parse_network(tiny_document(lanes=2))), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "crowd",
            "forecast",
            "--venue",
            str(venue),
            "--kickoff",
            "2022-11-20T19:00+03:00",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app,
        [
            "crowd",
            "plan",
            "--venue",
            str(venue),
            "--kickoff",
            "2022-11-20T19:00+03:00",
            "--out",
            str(tmp_path / "plan"),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text(encoding="utf-8"))
    assert plan["checkpoints"][0]["servers_needed"] > 2


def test_bad_input_exits_2_with_the_field(tmp_path: Path) -> None:
    venue = tmp_path / "ground.yaml"
    document = tiny_document()
    document["links"][0]["width_m"] = -1
    venue.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(
        app, ["crowd", "forecast", "--venue", str(venue), "--kickoff", "2022-11-20T19:00+03:00"]
    )
    assert result.exit_code == 2
    assert "links.0.width_m" in result.output
    good = tmp_path / "good.yaml"
    good.write_text(dump_network(parse_network(tiny_document())), encoding="utf-8")
    result = runner.invoke(
        app, ["crowd", "forecast", "--venue", str(good), "--kickoff", "2022-11-20T19:00"]
    )
    assert result.exit_code == 2
    assert "time zone" in result.output


def test_day_and_nowcast_commands(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["crowd", "day", "--scenario", "qatar2022", "--date", "2022-11-26", "--out", str(tmp_path)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads((tmp_path / "day.json").read_text(encoding="utf-8"))) == 4
    counts = tmp_path / "counts.csv"
    counts.write_text(
        "checkpoint_id,start,end,count\n"
        "al-bayt-g1,2022-11-20T16:00+03:00,2022-11-20T16:10+03:00,400\n"
        "al-bayt-g1,2022-11-20T16:10+03:00,2022-11-20T16:20+03:00,450\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "crowd",
            "nowcast",
            "--scenario",
            "qatar2022",
            "--match",
            "M01",
            "--counts",
            str(counts),
            "--as-of",
            "2022-11-20T16:20+03:00",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["venue_id"] == "al-bayt"
    counts.write_text(
        "checkpoint_id,start,end,count\nal-bayt-g1,2022-11-20T16:00,2022-11-20T16:10+03:00,4\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "crowd",
            "nowcast",
            "--scenario",
            "qatar2022",
            "--match",
            "M01",
            "--counts",
            str(counts),
            "--as-of",
            "2022-11-20T16:20+03:00",
        ],
    )
    assert result.exit_code == 2
    assert "row 2" in result.output and "field 'start'" in result.output


def test_forecast_with_spread_and_a_profile_fitted_to_past_counts(tmp_path: Path) -> None:
    venue = tmp_path / "ground.yaml"
    venue.write_text(dump_network(parse_network(tiny_document(lanes=2))), encoding="utf-8")
    counts = tmp_path / "past.csv"
    counts.write_text(
        "checkpoint_id,start,end,count\n"
        "g1,2022-11-13T18:00+03:00,2022-11-13T18:30+03:00,3000\n"
        "g1,2022-11-13T18:30+03:00,2022-11-13T19:00+03:00,7000\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "crowd",
            "forecast",
            "--venue",
            str(venue),
            "--kickoff",
            "2022-11-20T19:00+03:00",
            "--profile",
            f"{counts}@2022-11-13T19:00+03:00",
            "--spread",
            "2",
            "--out",
            str(tmp_path / "out"),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert "stochastic spread (2 replications)" in result.stdout
    document = json.loads((tmp_path / "out" / "forecast.json").read_text(encoding="utf-8"))
    low, mid, high = document["spread"]["stations"]["tiny/g1"]["max_wait_min_p10_p50_p90"]
    assert 0 < low <= mid <= high
    first = document["series_minutes_from_kickoff"].index(-30.0)
    # 30 % arrive in the first half hour: 3,000 against 1,100/h of lanes builds a queue by -30.
    gate = next(s for s in document["stations"] if s["id"] == "tiny/g1")
    assert gate["series"]["queue"][first] > 1000
