from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from opsroom.deployment.workforce_io import (
    COLUMNS,
    generate_workforce,
    read_workforce,
    write_workforce,
)
from opsroom.errors import InvalidInputError, NotFoundError
from opsroom.scenario import load_scenario

from .factories import make_officer

SCENARIO = load_scenario("qatar2022")


def test_generator_makes_the_requested_mix() -> None:
    officers = generate_workforce(SCENARIO, officers=400, partners=100, seed=3)
    assert len(officers) == 400
    assert len({o.id for o in officers}) == 400
    assert sum(o.partner for o in officers) == 100
    partner_agencies = {o.agency for o in officers if o.partner}
    assert partner_agencies == {"MA-DGSN", "TR-EGM"}
    assert all(o.skills for o in officers)
    assert all(o.clearance >= 3 for o in officers if "control_room" in o.skills)
    assert generate_workforce(SCENARIO, officers=400, partners=100, seed=3) == officers


def test_csv_round_trip(tmp_path: Path) -> None:
    officers = generate_workforce(SCENARIO, officers=50, partners=10, seed=1, leave_share=0.5)
    assert any(o.wishes_off for o in officers) and any(o.preferred_venues for o in officers)
    path = tmp_path / "workforce.csv"
    write_workforce(path, officers)
    assert read_workforce(path) == officers


def test_wishes_do_not_change_the_rest_of_the_generated_workforce() -> None:
    plain = generate_workforce(SCENARIO, officers=60, partners=20, seed=2, wish_share=0.0)
    wishing = generate_workforce(SCENARIO, officers=60, partners=20, seed=2, wish_share=1.0)
    assert all(o.wishes_off for o in wishing) and not any(o.wishes_off for o in plain)
    assert [o.skills for o in plain] == [o.skills for o in wishing]
    assert [o.leave for o in plain] == [o.leave for o in wishing]


def test_wish_columns_are_optional_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "workforce.csv"
    write_workforce(path, [make_officer("H1", wishes_off=frozenset({date(2022, 11, 21)}))])
    header, row = path.read_text().splitlines()
    width = len(COLUMNS)
    path.write_text(",".join(header.split(",")[:width]) + "\n" + ",".join(row.split(",")[:width]))
    (officer,) = read_workforce(path)
    assert officer.wishes_off == frozenset() and officer.preferred_venues == frozenset()
    path.write_text(header + "\n" + row.replace("2022-11-21", "21/11/2022") + "\n")
    with pytest.raises(InvalidInputError) as caught:
        read_workforce(path)
    assert {(p.row, p.field) for p in caught.value.problems} == {(2, "wishes_off")}


def test_bad_rows_are_named_by_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "workforce.csv"
    write_workforce(path, [make_officer("H1"), make_officer("H2")])
    lines = path.read_text().splitlines()
    fields = lines[1].split(",")
    fields[COLUMNS.index("skills")] = "screening|juggling"
    fields[COLUMNS.index("leave")] = "2022-11-20/2022-11-25|2022-11-24/2022-11-26"
    lines[1] = ",".join(fields)
    fields = lines[2].split(",")
    fields[COLUMNS.index("available_from")] = "20/11/2022"
    fields[COLUMNS.index("officer_id")] = "H1"
    lines[2] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInputError) as caught:
        read_workforce(path)
    where = {(p.row, p.field) for p in caught.value.problems}
    assert (2, "skills") in where
    assert (3, "available_from") in where
    assert (3, "officer_id") in where
    # Overlapping leave is only reported once the row's other fields are valid.
    lines[1] = lines[1].replace("screening|juggling", "screening")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInputError) as caught:
        read_workforce(path)
    assert (2, "leave") in {(p.row, p.field) for p in caught.value.problems}


def test_missing_file_and_columns(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_workforce(tmp_path / "nope.csv")
    path = tmp_path / "short.csv"
    path.write_text("officer_id,agency\nH1,QA-MOI\n")
    with pytest.raises(InvalidInputError, match=r"cannot read"):
        read_workforce(path)


def test_leave_and_deployment_dates_bound_availability() -> None:
    officer = make_officer(
        leave=((date(2022, 11, 22), date(2022, 11, 23)),),
        available_until=date(2022, 12, 10),
    )
    assert officer.works_on(date(2022, 11, 21))
    assert not officer.works_on(date(2022, 11, 23))
    assert not officer.works_on(date(2022, 12, 11))
    with pytest.raises(ValueError, match="overlap"):
        make_officer(
            leave=(
                (date(2022, 11, 22), date(2022, 11, 24)),
                (date(2022, 11, 24), date(2022, 11, 25)),
            )
        )
