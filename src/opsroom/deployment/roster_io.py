"""Roster CSV: ``officer_id,agency,post_id,venue_id,start,end`` with ISO 8601 times (with their
UTC offset), one row per assignment; and drop-out CSV: ``officer_id,from``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from opsroom.deployment.roster import Assignment, Shortfall
from opsroom.errors import InvalidInputError, Problem
from opsroom.files import read_csv, write_atomically

__all__ = [
    "ROSTER_COLUMNS",
    "read_dropouts",
    "read_roster",
    "write_roster",
    "write_shortfalls",
]

ROSTER_COLUMNS = ("officer_id", "agency", "post_id", "venue_id", "start", "end")


def _write(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomically(path, buffer.getvalue())


def write_roster(path: Path, assignments: Iterable[Assignment]) -> None:
    _write(
        path,
        ROSTER_COLUMNS,
        (
            (a.officer_id, a.agency, a.post_id, a.venue_id, a.start.isoformat(), a.end.isoformat())
            for a in sorted(assignments)
        ),
    )


def write_shortfalls(path: Path, shortfalls: Iterable[Shortfall]) -> None:
    _write(
        path,
        ("post_id", "venue_id", "start", "end", "required", "assigned", "reason"),
        (
            (
                s.post_id,
                s.venue_id,
                s.start.isoformat(),
                s.end.isoformat(),
                s.required,
                s.assigned,
                s.reason,
            )
            for s in shortfalls
        ),
    )


def _time(value: str, file: str, row: int, field: str, problems: list[Problem]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        problems.append(Problem(f"not an ISO 8601 time: {value!r}", file, row, field))
        return None
    if parsed.tzinfo is None:
        problems.append(Problem("time needs its UTC offset, e.g. +03:00", file, row, field))
        return None
    return parsed


def _rows(path: Path, columns: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    header, rows = read_csv(path, what=what)
    missing = [c for c in columns if c not in header]
    if missing:
        raise InvalidInputError(
            f"cannot read {path}",
            [Problem(f"missing column {c!r}", str(path), 1, c) for c in missing],
        )
    return rows


def read_roster(path: Path) -> tuple[Assignment, ...]:
    """Read a roster CSV; every bad row is named with its row number and field."""
    problems: list[Problem] = []
    out: list[Assignment] = []
    for number, row in _rows(path, ROSTER_COLUMNS, "roster file"):
        start = _time(row["start"], str(path), number, "start", problems)
        end = _time(row["end"], str(path), number, "end", problems)
        for field in ("officer_id", "post_id", "venue_id"):
            if not row[field].strip():
                problems.append(Problem("empty", str(path), number, field))
        if (
            start is None
            or end is None
            or not all(row[f].strip() for f in ("officer_id", "post_id", "venue_id"))
        ):
            continue
        if end <= start:
            problems.append(Problem("ends before it starts", str(path), number, "end"))
            continue
        out.append(
            Assignment(
                officer_id=row["officer_id"].strip(),
                agency=row["agency"].strip(),
                post_id=row["post_id"].strip(),
                venue_id=row["venue_id"].strip(),
                start=start,
                end=end,
            )
        )
    if problems:
        raise InvalidInputError(f"invalid roster file {path}", problems)
    return tuple(out)


def read_dropouts(path: Path) -> dict[str, datetime]:
    """Read ``officer_id,from``: each officer is unavailable from that time on."""
    problems: list[Problem] = []
    out: dict[str, datetime] = {}
    for number, row in _rows(path, ("officer_id", "from"), "drop-out file"):
        officer = row["officer_id"].strip()
        when = _time(row["from"], str(path), number, "from", problems)
        if not officer:
            problems.append(Problem("empty", str(path), number, "officer_id"))
        elif officer in out:
            problems.append(
                Problem(f"officer {officer!r} listed twice", str(path), number, "officer_id")
            )
        elif when is not None:
            out[officer] = when
    if problems:
        raise InvalidInputError(f"invalid drop-out file {path}", problems)
    return out
