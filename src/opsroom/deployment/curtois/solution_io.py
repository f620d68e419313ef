"""SOLUTION.csv for Curtois instances: header ``employee,day,shift``, one row per assignment, day
counted from 0."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from opsroom.deployment.curtois.check import Assignment
from opsroom.errors import InvalidInputError, NotFoundError, Problem

__all__ = ["HEADER", "read_solution", "write_solution"]

HEADER = ("employee", "day", "shift")


def write_solution(path: Path, assignments: Iterable[Assignment]) -> None:
    """Write the assignments, sorted by employee then day, replacing ``path`` in one step."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for a in sorted(assignments, key=lambda a: (a.employee, a.day)):
        writer.writerow((a.employee, a.day, a.shift))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)


def read_solution(path: Path) -> tuple[Assignment, ...]:
    """Read a SOLUTION.csv; every bad row is reported with its row number and field."""
    if not path.is_file():
        raise NotFoundError(f"no solution file at {path}")
    problems: list[Problem] = []
    result: list[Assignment] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise InvalidInputError(
                f"cannot read {path}",
                [Problem(f"header must be {','.join(HEADER)}", file=str(path), row=1)],
            )
        for number, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != 3:
                problems.append(Problem("expected 3 fields", file=str(path), row=number))
                continue
            try:
                day = int(row[1])
            except ValueError:
                problems.append(
                    Problem(
                        f"not a day number: {row[1]!r}", file=str(path), row=number, field="day"
                    )
                )
                continue
            result.append(Assignment(employee=row[0].strip(), day=day, shift=row[2].strip()))
    if problems:
        raise InvalidInputError(f"cannot read {path}", problems)
    return tuple(result)
