"""The roster commands end to end on one match with a small generated workforce."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from opsroom.cli import app

RUN = CliRunner()


def roster(*args: str) -> tuple[int, str]:
    result = RUN.invoke(app, ["roster", *args])
    return result.exit_code, result.output


def test_demand_prints_a_table_and_writes_posts(tmp_path: Path) -> None:
    out = tmp_path / "posts.csv"
    code, output = roster("demand", "--matches", "M01", "--out", str(out))
    assert code == 0, output
    assert "al-bayt" in output
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert rows and {r["kind"] for r in rows} >= {"screening", "steward", "control_room"}


def test_plan_check_repair_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    chart = tmp_path / "cover.png"
    code, output = roster(
        "plan",
        "--generate",
        "900",
        "--matches",
        "M01",
        "--out",
        str(out),
        "--chart",
        str(chart),
        "--time-limit-per-pool",
        "5",
    )
    assert code == 0, output
    assert "Coverage" in output and "Hours per agency" in output and "gap" in output
    header = out.read_text().splitlines()[0]
    assert header == "officer_id,agency,post_id,venue_id,start,end"
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    workforce = tmp_path / "roster-workforce.csv"
    code, output = roster("check", str(out), "--workforce", str(workforce), "--matches", "M01")
    assert code == 0, output
    assert "valid" in output and "(0 missing)" in output

    rows = list(csv.DictReader(out.read_text().splitlines()))
    drop = tmp_path / "drop.csv"
    drop.write_text(f"officer_id,from\n{rows[0]['officer_id']},2022-11-20T00:00:00+03:00\n")
    repaired = tmp_path / "repaired.csv"
    code, output = roster(
        "repair",
        str(out),
        "--dropouts",
        str(drop),
        "--workforce",
        str(workforce),
        "--matches",
        "M01",
        "--out",
        str(repaired),
    )
    assert code == 0, output
    assert "1 assignments removed, 1 replacements, 0 other assignments changed" in output
    code, output = roster("check", str(repaired), "--workforce", str(workforce), "--matches", "M01")
    assert code == 0, output


def test_check_rejects_a_double_booking(tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    code, output = roster("plan", "--generate", "900", "--matches", "M01", "--out", str(out))
    assert code == 0, output
    lines = out.read_text().splitlines()
    first = lines[1].split(",")
    other = next(line.split(",") for line in lines[2:] if line.split(",")[2] != first[2])
    other[0], other[1] = first[0], first[1]
    out.write_text("\n".join([*lines, ",".join(other)]) + "\n")
    code, output = roster(
        "check", str(out), "--workforce", str(tmp_path / "roster-workforce.csv"), "--matches", "M01"
    )
    assert code == 2
    assert "double_booking" in output


def test_plan_refuses_a_partial_roster_and_explains(tmp_path: Path) -> None:
    out = tmp_path / "roster.csv"
    code, output = roster("plan", "--generate", "60", "--matches", "M01", "--out", str(out))
    assert code == 2
    assert "cannot be fully covered" in output and "M01-" in output
    assert not out.exists()
    assert (tmp_path / "roster-shortfalls.csv").exists()


def test_plan_needs_exactly_one_workforce_source(tmp_path: Path) -> None:
    code, output = roster("plan", "--out", str(tmp_path / "r.csv"))
    assert code == 2
    assert "exactly one of --workforce" in output
