from __future__ import annotations

from pathlib import Path

import pytest

from opsroom.deployment.curtois.instance import parse_instance, read_instance
from opsroom.errors import InvalidInputError, NotFoundError

TINY = """
SECTION_HORIZON
7
SECTION_SHIFTS
D,480,
N,600,D
SECTION_STAFF
A,D=7|N=2,3000,960,4,2,1,1
SECTION_DAYS_OFF
A,3
SECTION_SHIFT_ON_REQUESTS
A,0,D,2
SECTION_SHIFT_OFF_REQUESTS
A,1,N,3
SECTION_COVER
0,D,1,100,1
"""


def test_parses_every_section() -> None:
    instance = parse_instance(TINY, name="tiny")
    assert instance.horizon == 7
    assert [s.id for s in instance.shifts] == ["D", "N"]
    assert instance.shift("N").cannot_follow == frozenset({"D"})
    (staff,) = instance.staff
    assert staff.max_shifts == {"D": 7, "N": 2}
    assert (staff.max_total_minutes, staff.min_total_minutes) == (3000, 960)
    assert staff.days_off == frozenset({3})
    assert instance.on_requests[0].weight == 2
    assert instance.off_requests[0].shift == "N"
    assert instance.cover[0].weight_under == 100
    assert instance.weekends == 1


def test_bad_rows_are_named_by_line_and_field() -> None:
    text = TINY.replace("A,0,D,2", "A,0,X,two").replace("0,D,1,100,1", "99,D,1,100,1")
    with pytest.raises(InvalidInputError) as caught:
        parse_instance(text, name="bad", file="bad.txt")
    problems = {(p.row, p.field) for p in caught.value.problems}
    assert (12, "shift") in problems
    assert (12, "weight") in problems
    assert (16, "day") in problems


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        read_instance(tmp_path / "Instance99.txt")


def test_reads_every_public_instance(shared_data: Path) -> None:
    sizes = {}
    for number in (1, 12, 24):
        instance = read_instance(shared_data / "roster" / f"Instance{number}.txt")
        sizes[number] = (len(instance.staff), instance.horizon, len(instance.shifts))
    assert sizes == {1: (8, 14, 1), 12: (60, 28, 10), 24: (150, 364, 32)}
