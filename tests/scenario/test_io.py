"""User scenarios: valid ones load; malformed ones name the file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.scenario import load_scenario
from tests.factories import MATCHES_CSV, SCENARIO, VENUES, write_scenario


def problems_of(directory: Path) -> list[Problem]:
    with pytest.raises(InvalidInputError) as caught:
        load_scenario(directory)
    return caught.value.problems


def test_minimal_scenario_loads(tmp_path: Path) -> None:
    scenario = load_scenario(write_scenario(tmp_path / "mini"))
    assert scenario.info.id == "mini"
    assert [g.id for g in scenario.gates_of("rabat")] == ["g1", "g2"]
    assert scenario.matches[0].kickoff.isoformat() == "2025-12-21T20:00:00+01:00"


def test_missing_field(tmp_path: Path) -> None:
    gates = "id,venue_id,name,screening_lanes,source\ng1,rabat,Gate 1,2,user\n"
    problems = problems_of(write_scenario(tmp_path, gates_csv=gates))
    assert any(
        p.file and p.file.endswith("gates.csv") and p.row == 2 and p.field == "turnstiles"
        for p in problems
    ), problems


def test_time_without_zone(tmp_path: Path) -> None:
    matches = MATCHES_CSV.replace("2025-12-21T20:00:00+01:00", "2025-12-21T20:00:00")
    [problem] = problems_of(write_scenario(tmp_path, matches_csv=matches))
    assert (problem.row, problem.field) == (2, "kickoff")
    assert "UTC offset" in problem.message


def test_offset_that_contradicts_the_venue_time_zone(tmp_path: Path) -> None:
    matches = MATCHES_CSV.replace("+01:00", "+03:00")
    [problem] = problems_of(write_scenario(tmp_path, matches_csv=matches))
    assert problem.field == "kickoff" and "Africa/Casablanca" in problem.message


def test_unknown_venue_in_a_match(tmp_path: Path) -> None:
    matches = MATCHES_CSV.replace(",rabat,", ",tangier,")
    [problem] = problems_of(write_scenario(tmp_path, matches_csv=matches))
    assert problem.file is not None and problem.file.endswith("matches.csv")
    assert (problem.row, problem.field) == (2, "venue_id")
    assert "unknown venue 'tangier'" in problem.message


def test_duplicate_id(tmp_path: Path) -> None:
    venues = [VENUES[0], {**VENUES[0], "name": "Again"}]
    problems = problems_of(write_scenario(tmp_path, venues=venues))
    duplicate = [p for p in problems if "duplicate id 'rabat'" in p.message]
    assert duplicate and duplicate[0].row == 2 and duplicate[0].field == "id"


def test_unknown_team_and_bad_number_are_both_reported(tmp_path: Path) -> None:
    gates = "id,venue_id,name,screening_lanes,turnstiles,source\ng1,rabat,Gate 1,two,3,user\n"
    sectors = "id,venue_id,gate_id,name,capacity,source\ns1,rabat,g1,North,500,user\n"
    matches = MATCHES_CSV.replace(",COM,", ",XXX,")
    problems = problems_of(
        write_scenario(tmp_path, gates_csv=gates, sectors_csv=sectors, matches_csv=matches)
    )
    fields = {(Path(p.file or "").name, p.row, p.field) for p in problems}
    assert ("gates.csv", 2, "screening_lanes") in fields
    assert ("matches.csv", 2, "away") in fields
    # the sector's gate failed validation, so its reference is reported too
    assert ("sectors.csv", 2, "gate_id") in fields


def test_sector_seats_above_capacity_and_ragged_rows(tmp_path: Path) -> None:
    sectors = "id,venue_id,gate_id,name,capacity,source\ns1,rabat,g1,North,900,user\ns2,rabat,g2\n"
    sectors += "s3,rabat,g2,South,500,user\n"
    problems = problems_of(write_scenario(tmp_path, sectors_csv=sectors))
    messages = [str(p) for p in problems]
    assert any("row 3" in m and "3 cells" in m for m in messages), messages
    assert any("1400 seats, more than the capacity 1000" in m for m in messages), messages


def test_missing_scenario_file_and_both_formats(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path)
    (directory / "scenario.yaml").unlink()
    (directory / "gates.yaml").write_text("[]\n")
    messages = [str(p) for p in problems_of(directory)]
    assert any("scenario.yaml" in m and "missing file" in m for m in messages)
    assert any("gates.yaml and gates.csv" in m for m in messages)


def test_bad_scenario_info_names_the_field(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path, scenario={**SCENARIO, "timezone": "Mars/Olympus"})
    [problem] = problems_of(directory)
    assert problem.field == "timezone" and "Mars/Olympus" in problem.message


def test_byte_order_mark_and_yaml_tables_are_accepted(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path)
    (directory / "teams.csv").write_bytes(
        "\ufeffid,name,group\nMAR,Maroc,A\nCOM,Comores,A\n".encode()
    )
    assert {t.name for t in load_scenario(directory).teams} == {"Maroc", "Comores"}


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    directory = write_scenario(tmp_path)
    (directory / "teams.csv").write_bytes("id,name,group\nMAR,Maroc é,A\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        load_scenario(directory)


def test_unknown_name_is_neither_builtin_nor_directory(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="qatar2022"):
        load_scenario(str(tmp_path / "nowhere"))
