"""The CSV contract of screening: reading watchlists and people, writing hits.

* WATCHLIST.csv: ``id,name,aliases,birth_date,nationality,doc_number`` (aliases separated by
  ``|``; ``birth_date`` ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or empty; ``nationality`` ISO 3166
  alpha-2 or empty; other columns ignored, ``gender`` (m/f) read when present).
* PEOPLE.csv: ``id,name,birth_date,nationality,doc_number`` (``gender`` read when present).
* HITS.csv: ``person_id,entry_id,score,explanation``, best first per person.

Bad input never crashes and is never skipped silently. A missing ``id`` or ``name`` column, an
unreadable file or an empty file is an error (:class:`~opsroom.errors.InvalidInputError` naming
the file); another missing contract column is a warning (its values are taken as empty). A bad
row value (a date, a country code, an empty name, a duplicate id, a line that is not UTF-8) is a
warning naming the file, row and field: the value is dropped (or the row, when it has no name or
id) and the warning counted in the run's summary. Rows are numbered as in a spreadsheet: the
header is row 1. A UTF-8 byte-order mark is accepted. A line that is not UTF-8 is read as
Windows-1256 (the Arabic code page) and one that looks doubly encoded (``Ã©``, ``Ø§Ù``) is repaired,
each with a warning.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from opsroom.errors import InvalidInputError, Problem
from opsroom.files import check_text_bytes, csv_rows
from opsroom.screening.countries import ISO_ALPHA2
from opsroom.screening.model import Hit, PartialDate, Person, WatchlistEntry

WATCHLIST_COLUMNS = ("id", "name", "aliases", "birth_date", "nationality", "doc_number")
PEOPLE_COLUMNS = ("id", "name", "birth_date", "nationality", "doc_number")
HITS_COLUMNS = ("person_id", "entry_id", "score", "explanation")

T = TypeVar("T")
# UTF-8 text decoded as Latin-1/Windows-1252 shows these pairs (Ã© for é, Ø§ for ا).
_MOJIBAKE = re.compile(
    "[ÃÂØÙ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u2018-\u203a]"
)


@dataclass(frozen=True, slots=True)
class ReadResult(Generic[T]):
    """What a file held: the good records and a warning per value or row that was dropped."""

    records: list[T]
    warnings: list[Problem]
    rows: int


def _decode(data: bytes, source: str) -> tuple[list[str], list[Problem]]:
    """Decode line by line so that one bad line costs a warning, not the file."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInputError(
            f"{source} is UTF-16; save it as UTF-8",
            [Problem("UTF-16 byte-order mark", file=source)],
        )
    lines: list[str] = []
    warnings: list[Problem] = []
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1256", errors="replace")
            warnings.append(
                Problem("not UTF-8; read as Windows-1256 (Arabic)", file=source, row=number)
            )
        if _MOJIBAKE.search(text):
            repaired = _repair(text)
            if repaired is not None:
                text = repaired
                warnings.append(Problem("doubly encoded UTF-8 repaired", file=source, row=number))
        lines.append(text)
    return lines, warnings


def _repair(text: str) -> str | None:
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return None


def _rows(
    path: Path, required: Sequence[str], contract: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[Problem], str]:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {source}: {exc.strerror or exc}") from exc
    check_text_bytes(data, source, what="CSV file")
    lines, warnings = _decode(data, source)
    reader = csv_rows("".join(lines), source)
    first = next(reader, None)
    if first is None:
        raise InvalidInputError(f"{source} is empty: no header row")
    header = first[1]
    columns = [h.strip().lower() for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise InvalidInputError(
            f"{source} lacks the column(s) {', '.join(missing)}",
            [Problem(f"missing column '{c}'", file=source, row=1, field=c) for c in missing],
        )
    for column in contract:
        if column not in columns and column not in required:
            warnings.append(
                Problem(
                    f"no column '{column}': treated as empty for every row",
                    file=source,
                    row=1,
                    field=column,
                )
            )
    rows: list[tuple[int, dict[str, str]]] = []
    for row_number, values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(columns):
            warnings.append(
                Problem(
                    f"{len(values)} fields where the header has {len(columns)}",
                    file=source,
                    row=row_number,
                )
            )
        record = {c: (values[k].strip() if k < len(values) else "") for k, c in enumerate(columns)}
        rows.append((row_number, record))
    return rows, warnings, source


def _date(value: str, source: str, row: int, warnings: list[Problem]) -> PartialDate | None:
    if not value:
        return None
    try:
        return PartialDate.parse(value)
    except ValueError as exc:
        warnings.append(Problem(f"{exc}; date ignored", file=source, row=row, field="birth_date"))
        return None


def _country(value: str, source: str, row: int, warnings: list[Problem]) -> str | None:
    if not value:
        return None
    code = value.upper()
    if code not in ISO_ALPHA2:
        warnings.append(
            Problem(
                f"'{value}' is not an ISO 3166 alpha-2 code; nationality ignored",
                file=source,
                row=row,
                field="nationality",
            )
        )
        return None
    return code


def _gender(value: str) -> str | None:
    first = value[:1].lower()
    return first if first in ("m", "f") else None


def read_watchlist(path: Path) -> ReadResult[WatchlistEntry]:
    """Read WATCHLIST.csv (see the module docstring)."""
    rows, warnings, source = _rows(path, ("id", "name"), WATCHLIST_COLUMNS)
    entries: list[WatchlistEntry] = []
    seen: set[str] = set()
    for row, record in rows:
        entry_id = record.get("id", "")
        aliases = tuple(a.strip() for a in record.get("aliases", "").split("|") if a.strip())
        name = record.get("name", "")
        if not entry_id:
            warnings.append(Problem("empty id; row skipped", file=source, row=row, field="id"))
            continue
        if entry_id in seen:
            warnings.append(
                Problem(f"id {entry_id} repeated; row skipped", file=source, row=row, field="id")
            )
            continue
        if not name and not aliases:
            warnings.append(Problem("empty name; row skipped", file=source, row=row, field="name"))
            continue
        seen.add(entry_id)
        entries.append(
            WatchlistEntry(
                id=entry_id,
                name=name or aliases[0],
                aliases=aliases if name else aliases[1:],
                birth_date=_date(record.get("birth_date", ""), source, row, warnings),
                nationality=_country(record.get("nationality", ""), source, row, warnings),
                doc_number=record.get("doc_number") or None,
                gender=_gender(record.get("gender", "")),
            )
        )
    return ReadResult(records=entries, warnings=warnings, rows=len(rows))


def read_people(path: Path) -> ReadResult[Person]:
    """Read PEOPLE.csv (see the module docstring)."""
    rows, warnings, source = _rows(path, ("id", "name"), PEOPLE_COLUMNS)
    people: list[Person] = []
    for row, record in rows:
        person_id = record.get("id", "")
        name = record.get("name", "")
        if not person_id:
            warnings.append(Problem("empty id; row skipped", file=source, row=row, field="id"))
            continue
        if not name:
            warnings.append(Problem("empty name; row skipped", file=source, row=row, field="name"))
            continue
        people.append(
            Person(
                id=person_id,
                name=name,
                birth_date=_date(record.get("birth_date", ""), source, row, warnings),
                nationality=_country(record.get("nationality", ""), source, row, warnings),
                doc_number=record.get("doc_number") or None,
                gender=_gender(record.get("gender", "")),
            )
        )
    return ReadResult(records=people, warnings=warnings, rows=len(rows))


def write_hits(path: Path, hits: Iterable[Hit]) -> int:
    """Write HITS.csv (UTF-8, header first); returns the number of rows written.

    The file is written to a temporary name and renamed, so a failed run never leaves half a file.
    """
    temporary = path.with_name(path.name + ".part")
    count = 0
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HITS_COLUMNS)
            for hit in hits:
                writer.writerow(
                    [hit.person_id, hit.entry_id, f"{hit.score:.6f}", hit.explanation()]
                )
                count += 1
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InvalidInputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count
