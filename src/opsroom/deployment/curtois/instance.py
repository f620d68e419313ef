"""The Curtois & Qu shift-scheduling benchmark: its instances as frozen data, and their reader.

Instances (``Instance1.txt`` .. ``Instance24.txt``) come from schedulingbenchmarks.org/nrp
(T. Curtois, R. Qu, doi 10.1016/j.ejor.2014.01.039). The text format has one section per table,
comma-separated rows, ``#`` comments; the reader checks every row and names the line and field of
anything wrong. Day 0 is a Monday, so days ``7w + 5`` and ``7w + 6`` make weekend ``w``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from opsroom.errors import InvalidInputError, Problem
from opsroom.files import read_text

__all__ = [
    "CoverRequirement",
    "Instance",
    "ShiftRequest",
    "ShiftType",
    "Staff",
    "parse_instance",
    "read_instance",
]


@dataclass(frozen=True, kw_only=True)
class ShiftType:
    """A shift type: its id, length and the shifts that may not follow it on the next day."""

    id: str
    minutes: int
    cannot_follow: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Staff:
    """One employee's contract: every limit is a hard rule of the benchmark."""

    id: str
    max_shifts: dict[str, int]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int
    days_off: frozenset[int] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ShiftRequest:
    """A wish to work (``on``) or not to work (``off``) a shift on a day, with its weight."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True, kw_only=True)
class CoverRequirement:
    """How many people a shift needs on a day, and the cost per person under or over."""

    day: int
    shift: str
    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True, kw_only=True)
class Instance:
    """A whole benchmark instance."""

    name: str
    horizon: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Staff, ...]
    on_requests: tuple[ShiftRequest, ...] = ()
    off_requests: tuple[ShiftRequest, ...] = ()
    cover: tuple[CoverRequirement, ...] = ()
    _shift_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shift_index", {s.id: i for i, s in enumerate(self.shifts)})

    @property
    def weekends(self) -> int:
        """Number of weekends (Saturday + Sunday) wholly or partly inside the horizon."""
        return (self.horizon + 1) // 7

    def shift(self, shift_id: str) -> ShiftType:
        return self.shifts[self._shift_index[shift_id]]

    def shift_index(self, shift_id: str) -> int:
        return self._shift_index[shift_id]


_SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


def read_instance(path: Path) -> Instance:
    """Read an instance file; the instance's name is the file's stem (e.g. ``Instance7``)."""
    text = read_text(path, what="benchmark instance")
    return parse_instance(text, name=path.stem, file=str(path))


def parse_instance(text: str, *, name: str, file: str | None = None) -> Instance:
    """Parse the text of an instance; raise :class:`InvalidInputError` naming every bad row."""
    rows: dict[str, list[tuple[int, list[str]]]] = {s: [] for s in _SECTIONS}
    problems: list[Problem] = []
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            if line not in rows:
                problems.append(Problem(f"unknown section {line!r}", file=file, row=number))
                section = None
            else:
                section = line
            continue
        if section is None:
            problems.append(Problem("data outside any section", file=file, row=number))
            continue
        rows[section].append((number, [cell.strip() for cell in line.split(",")]))
    if problems:
        raise InvalidInputError(f"cannot read benchmark instance {file or name}", problems)
    parser = _Parser(file=file)
    instance = parser.build(name, rows)
    if parser.problems:
        raise InvalidInputError(f"cannot read benchmark instance {file or name}", parser.problems)
    return instance


class _Parser:
    def __init__(self, *, file: str | None) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def _int(self, value: str, row: int, field_name: str, *, minimum: int = 0) -> int:
        try:
            number = int(value)
        except ValueError:
            self.problems.append(
                Problem(f"expected an integer, got {value!r}", self.file, row, field_name)
            )
            return 0
        if number < minimum:
            self.problems.append(
                Problem(f"must be >= {minimum}, got {number}", self.file, row, field_name)
            )
        return number

    def _width(self, cells: list[str], row: int, expected: int, section: str) -> bool:
        if len(cells) < expected:
            self.problems.append(
                Problem(f"{section} rows need {expected} fields, got {len(cells)}", self.file, row)
            )
            return False
        return True

    def build(self, name: str, rows: dict[str, list[tuple[int, list[str]]]]) -> Instance:
        horizon_rows = rows["SECTION_HORIZON"]
        if len(horizon_rows) != 1:
            self.problems.append(Problem("SECTION_HORIZON must hold exactly one number", self.file))
            return _empty(name)
        horizon = self._int(horizon_rows[0][1][0], horizon_rows[0][0], "horizon", minimum=1)
        shifts = self._shifts(rows["SECTION_SHIFTS"])
        shift_ids = {s.id for s in shifts}
        days_off = self._days_off(rows["SECTION_DAYS_OFF"], horizon)
        staff = self._staff(rows["SECTION_STAFF"], shift_ids, days_off)
        staff_ids = {s.id for s in staff}
        for employee, row in days_off.items():
            if employee not in staff_ids:
                self.problems.append(
                    Problem(f"unknown employee {employee!r}", self.file, row[1], "employee")
                )
        on = self._requests(rows["SECTION_SHIFT_ON_REQUESTS"], staff_ids, shift_ids, horizon)
        off = self._requests(rows["SECTION_SHIFT_OFF_REQUESTS"], staff_ids, shift_ids, horizon)
        cover = self._cover(rows["SECTION_COVER"], shift_ids, horizon)
        return Instance(
            name=name,
            horizon=horizon,
            shifts=tuple(shifts),
            staff=tuple(staff),
            on_requests=tuple(on),
            off_requests=tuple(off),
            cover=tuple(cover),
        )

    def _shifts(self, rows: Iterable[tuple[int, list[str]]]) -> list[ShiftType]:
        shifts: list[ShiftType] = []
        for row, cells in rows:
            if not self._width(cells, row, 2, "SECTION_SHIFTS"):
                continue
            following = cells[2] if len(cells) > 2 else ""
            shifts.append(
                ShiftType(
                    id=cells[0],
                    minutes=self._int(cells[1], row, "length", minimum=1),
                    cannot_follow=frozenset(s for s in following.split("|") if s),
                )
            )
        known = {s.id for s in shifts}
        for shift in shifts:
            for other in sorted(shift.cannot_follow - known):
                self.problems.append(
                    Problem(f"shift {shift.id} names unknown shift {other!r}", self.file)
                )
        return shifts

    def _days_off(
        self, rows: Iterable[tuple[int, list[str]]], horizon: int
    ) -> dict[str, tuple[frozenset[int], int]]:
        result: dict[str, tuple[frozenset[int], int]] = {}
        for row, cells in rows:
            days = frozenset(self._int(c, row, "day") for c in cells[1:] if c)
            for day in days:
                if day >= horizon:
                    self.problems.append(
                        Problem(f"day {day} beyond horizon", self.file, row, "day")
                    )
            result[cells[0]] = (days, row)
        return result

    def _staff(
        self,
        rows: Iterable[tuple[int, list[str]]],
        shift_ids: set[str],
        days_off: dict[str, tuple[frozenset[int], int]],
    ) -> list[Staff]:
        staff: list[Staff] = []
        for row, cells in rows:
            if not self._width(cells, row, 8, "SECTION_STAFF"):
                continue
            max_shifts: dict[str, int] = {s: 0 for s in shift_ids}
            for part in (p for p in cells[1].split("|") if p):
                shift_id, _, limit = part.partition("=")
                if shift_id not in shift_ids:
                    self.problems.append(
                        Problem(f"unknown shift {shift_id!r}", self.file, row, "max_shifts")
                    )
                    continue
                max_shifts[shift_id] = self._int(limit, row, "max_shifts")
            staff.append(
                Staff(
                    id=cells[0],
                    max_shifts=max_shifts,
                    max_total_minutes=self._int(cells[2], row, "max_total_minutes"),
                    min_total_minutes=self._int(cells[3], row, "min_total_minutes"),
                    max_consecutive_shifts=self._int(cells[4], row, "max_consecutive_shifts"),
                    min_consecutive_shifts=self._int(cells[5], row, "min_consecutive_shifts"),
                    min_consecutive_days_off=self._int(cells[6], row, "min_consecutive_days_off"),
                    max_weekends=self._int(cells[7], row, "max_weekends"),
                    days_off=days_off.get(cells[0], (frozenset(), 0))[0],
                )
            )
        return staff

    def _requests(
        self,
        rows: Iterable[tuple[int, list[str]]],
        staff_ids: set[str],
        shift_ids: set[str],
        horizon: int,
    ) -> list[ShiftRequest]:
        requests: list[ShiftRequest] = []
        for row, cells in rows:
            if not self._width(cells, row, 4, "request"):
                continue
            employee, day_text, shift_id, weight_text = cells[:4]
            day = self._int(day_text, row, "day")
            if employee not in staff_ids:
                self.problems.append(
                    Problem(f"unknown employee {employee!r}", self.file, row, "employee")
                )
            if shift_id not in shift_ids:
                self.problems.append(
                    Problem(f"unknown shift {shift_id!r}", self.file, row, "shift")
                )
            if day >= horizon:
                self.problems.append(Problem(f"day {day} beyond horizon", self.file, row, "day"))
            requests.append(
                ShiftRequest(
                    employee=employee,
                    day=day,
                    shift=shift_id,
                    weight=self._int(weight_text, row, "weight"),
                )
            )
        return requests

    def _cover(
        self, rows: Iterable[tuple[int, list[str]]], shift_ids: set[str], horizon: int
    ) -> list[CoverRequirement]:
        cover: list[CoverRequirement] = []
        for row, cells in rows:
            if not self._width(cells, row, 5, "SECTION_COVER"):
                continue
            day = self._int(cells[0], row, "day")
            if day >= horizon:
                self.problems.append(Problem(f"day {day} beyond horizon", self.file, row, "day"))
            if cells[1] not in shift_ids:
                self.problems.append(
                    Problem(f"unknown shift {cells[1]!r}", self.file, row, "shift")
                )
            cover.append(
                CoverRequirement(
                    day=day,
                    shift=cells[1],
                    requirement=self._int(cells[2], row, "requirement"),
                    weight_under=self._int(cells[3], row, "weight_under"),
                    weight_over=self._int(cells[4], row, "weight_over"),
                )
            )
        return cover


def _empty(name: str) -> Instance:
    return Instance(name=name, horizon=1, shifts=(), staff=())
