"""Read a scenario from a directory of YAML or CSV files, with errors naming file, row and field.

A scenario directory holds ``scenario.yaml`` and one file per table (``venues.yaml`` or
``venues.csv``, ``gates``, ``sectors``, ``transport``, ``links``, ``teams``, ``agencies``,
``matches``). YAML tables are a list of mappings; CSV tables have a header row, which lines
starting with ``#`` may precede (a file's sources, say). Rows are numbered as a person would find
them: the line number in a CSV file, the position (from 1) in a YAML list. Every problem in every
file is collected before anything is returned, so a user fixes them all in one pass.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ValidationError

from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.files import csv_rows, read_text
from opsroom.scenario.model import (
    TABLES,
    Gate,
    Match,
    ScenarioDocument,
    ScenarioInfo,
    Sector,
    Team,
    TransportNode,
    Venue,
    WalkingLink,
)
from opsroom.scenario.scenario import Scenario

BUILTIN_SCENARIOS = ("qatar2022",)
"""Scenarios shipped inside the package (``opsroom/scenario/data/NAME``)."""

SHARE_TOLERANCE = 0.01
"""How far a venue's arrival shares may sum from 1 before it is an error (rounding in files)."""


def load_scenario(source: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a user scenario from a directory."""
    if isinstance(source, str) and source in BUILTIN_SCENARIOS:
        with resources.as_file(resources.files("opsroom.scenario") / "data" / source) as path:
            return read_scenario_dir(path, display_root=f"<builtin {source}>")
    path = Path(source)
    if not path.is_dir():
        builtins = ", ".join(BUILTIN_SCENARIOS)
        raise NotFoundError(
            f"scenario '{source}' is neither a built-in scenario ({builtins}) nor a directory"
        )
    return read_scenario_dir(path)


def read_scenario_dir(path: Path, *, display_root: str | None = None) -> Scenario:
    """Read and validate every file of a scenario directory; raise with all problems found."""
    if not path.is_dir():
        if path.exists():
            raise InvalidInputError(f"{path} is not a directory: a scenario is a folder of files")
        raise NotFoundError(f"no such directory: {path}")
    root = display_root or str(path)
    problems: list[Problem] = []
    info = _read_info(path, root, problems)
    tables: dict[str, list[tuple[str, int, BaseModel]]] = {}
    for table, model in TABLES.items():
        tables[table] = []
        first_row: dict[str, int] = {}
        for file_name, row, record in _table_rows(path, root, table, problems):
            record_id = str(record.get("id", ""))
            if record_id and record_id in first_row:
                problems.append(
                    Problem(
                        f"duplicate id '{record_id}' (first at row {first_row[record_id]})",
                        file=file_name,
                        row=row,
                        field="id",
                    )
                )
            first_row.setdefault(record_id, row)
            try:
                tables[table].append((file_name, row, model.model_validate(record)))
            except ValidationError as exc:
                problems.extend(_pydantic_problems(exc, file_name, row))
    if "venues" in tables and not tables["venues"] and not problems:
        problems.append(Problem("a scenario needs at least one venue", file=f"{root}/venues.yaml"))
    problems.extend(_check_references(tables, info))
    if problems or info is None:
        raise InvalidInputError(f"scenario in {root} is not valid", problems)
    document = ScenarioDocument.model_validate(
        {"scenario": info, **{name: tuple(r for _, _, r in rows) for name, rows in tables.items()}}
    )
    return Scenario.from_document(document)


def _read_info(path: Path, root: str, problems: list[Problem]) -> ScenarioInfo | None:
    file_path = path / "scenario.yaml"
    file_name = f"{root}/scenario.yaml"
    if not file_path.is_file():
        problems.append(Problem("missing file (the scenario's id, name and time zone)", file_name))
        return None
    try:
        data = yaml.safe_load(_read_text(file_path))
    except yaml.YAMLError as exc:
        problems.append(Problem(f"not valid YAML: {exc}", file=file_name))
        return None
    if not isinstance(data, Mapping):
        problems.append(Problem("expected a mapping of fields", file=file_name))
        return None
    try:
        return ScenarioInfo.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, file_name, None))
        return None


def _read_text(file_path: Path) -> str:
    return read_text(file_path, what="scenario file")


def _table_rows(
    path: Path, root: str, table: str, problems: list[Problem]
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    candidates = [path / f"{table}{ext}" for ext in (".yaml", ".yml", ".csv")]
    present = [p for p in candidates if p.is_file()]
    if len(present) > 1:
        names = " and ".join(p.name for p in present)
        problems.append(Problem(f"both {names} exist; keep one", file=f"{root}/{table}"))
        return
    if not present:
        if table == "venues":
            problems.append(Problem("missing file", file=f"{root}/venues.yaml"))
        return
    file_path = present[0]
    file_name = f"{root}/{file_path.name}"
    text = _read_text(file_path)
    if file_path.suffix == ".csv":
        yield from _csv_rows(text, file_name, problems)
    else:
        yield from _yaml_rows(text, file_name, problems)


def _csv_rows(
    text: str, file_name: str, problems: list[Problem]
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    # Comment lines (``#``) may open a table; they are blanked, so line numbers stay the file's.
    lines = text.splitlines(keepends=True)
    comments = 0
    while comments < len(lines) and lines[comments].lstrip().startswith("#"):
        comments += 1
    blanked = "\n" * comments + "".join(lines[comments:])
    reader = csv_rows(blanked, file_name)
    first = next(reader, None)
    while first is not None and not any(c.strip() for c in first[1]):
        first = next(reader, None)
    if first is None:
        problems.append(Problem("empty file: a header row is needed", file=file_name))
        return
    header = [h.strip() for h in first[1]]
    for number, cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    f"{len(cells)} cells where the header has {len(header)}",
                    file=file_name,
                    row=number,
                )
            )
            continue
        yield file_name, number, {h: c for h, c in zip(header, cells, strict=True) if c.strip()}


def _yaml_rows(
    text: str, file_name: str, problems: list[Problem]
) -> Iterator[tuple[str, int, dict[str, Any]]]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problems.append(Problem(f"not valid YAML: {exc}", file=file_name))
        return
    if data is None:
        return
    if not isinstance(data, list):
        problems.append(Problem("expected a list of records", file=file_name))
        return
    for number, record in enumerate(data, start=1):
        if not isinstance(record, Mapping):
            problems.append(Problem("expected a mapping of fields", file=file_name, row=number))
            continue
        yield file_name, number, {str(k): v for k, v in record.items() if v is not None}


def _pydantic_problems(exc: ValidationError, file_name: str, row: int | None) -> list[Problem]:
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or None
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "required field is missing"
        elif error["type"] == "extra_forbidden":
            message = "unknown field"
        problems.append(Problem(message, file=file_name, row=row, field=field))
    return problems


Rows = dict[str, list[tuple[str, int, BaseModel]]]
_T = TypeVar("_T", bound=BaseModel)


def _rows_of(tables: Rows, name: str, model: type[_T]) -> list[tuple[str, int, _T]]:
    return [(f, r, rec) for f, r, rec in tables[name] if isinstance(rec, model)]


def _check_references(tables: Rows, info: ScenarioInfo | None) -> list[Problem]:
    venues = {v.id: v for _, _, v in _rows_of(tables, "venues", Venue)}
    gates = {g.id: g for _, _, g in _rows_of(tables, "gates", Gate)}
    nodes = {n.id: n for _, _, n in _rows_of(tables, "transport", TransportNode)}
    problems: list[Problem] = []

    def need(known: Mapping[str, object], kind: str, value: str, at: tuple[str, int, str]) -> None:
        if value not in known:
            problems.append(Problem(f"unknown {kind} '{value}'", at[0], at[1], at[2]))

    placed: list[tuple[str, int, Gate | Sector | TransportNode]] = [
        *_rows_of(tables, "gates", Gate),
        *_rows_of(tables, "sectors", Sector),
        *_rows_of(tables, "transport", TransportNode),
    ]
    for file_name, row, record in placed:
        need(venues, "venue", record.venue_id, (file_name, row, "venue_id"))
    for file_name, row, sector in _rows_of(tables, "sectors", Sector):
        need(gates, "gate", sector.gate_id, (file_name, row, "gate_id"))
        gate = gates.get(sector.gate_id)
        if gate is not None and gate.venue_id != sector.venue_id:
            problems.append(
                Problem(f"gate '{gate.id}' belongs to another venue", file_name, row, "gate_id")
            )
    for file_name, row, link in _rows_of(tables, "links", WalkingLink):
        need(nodes, "transport node", link.origin_id, (file_name, row, "origin_id"))
        need(gates, "gate", link.gate_id, (file_name, row, "gate_id"))
        node, gate = nodes.get(link.origin_id), gates.get(link.gate_id)
        if node is not None and gate is not None and node.venue_id != gate.venue_id:
            problems.append(
                Problem("links a transport node and a gate of different venues", file_name, row)
            )
    problems.extend(_check_matches(tables, venues, info))
    problems.extend(_check_venue_totals(tables))
    return problems


def _check_matches(
    tables: Rows, venues: Mapping[str, Venue], info: ScenarioInfo | None
) -> list[Problem]:
    teams = {t.id for _, _, t in _rows_of(tables, "teams", Team)}
    problems = []
    for file_name, row, match in _rows_of(tables, "matches", Match):
        for field, team in (("home", match.home), ("away", match.away)):
            if team is not None and team not in teams:
                problems.append(Problem(f"unknown team '{team}'", file_name, row, field))
        venue = venues.get(match.venue_id)
        if venue is None:
            problems.append(
                Problem(f"unknown venue '{match.venue_id}'", file_name, row, "venue_id")
            )
        else:
            expected = match.kickoff.astimezone(ZoneInfo(venue.timezone)).utcoffset()
            if match.kickoff.utcoffset() != expected:
                problems.append(
                    Problem(
                        f"offset {match.kickoff.strftime('%z')} does not match the venue's "
                        f"time zone ({venue.timezone}) at that time",
                        file_name,
                        row,
                        "kickoff",
                    )
                )
        if info is not None and not info.start_date <= match.kickoff.date() <= info.end_date:
            problems.append(
                Problem(
                    f"kick-off {match.kickoff.date()} is outside the scenario's dates "
                    f"{info.start_date}..{info.end_date}",
                    file_name,
                    row,
                    "kickoff",
                )
            )
    return problems


def _check_venue_totals(tables: Rows) -> list[Problem]:
    problems = []
    seats: Counter[str] = Counter()
    shares: dict[str, float] = defaultdict(float)
    for _, _, sector in _rows_of(tables, "sectors", Sector):
        seats[sector.venue_id] += sector.capacity
    for _, _, node in _rows_of(tables, "transport", TransportNode):
        shares[node.venue_id] += node.arrival_share
    for file_name, row, venue in _rows_of(tables, "venues", Venue):
        if seats[venue.id] > venue.capacity:
            problems.append(
                Problem(
                    f"sectors hold {seats[venue.id]} seats, more than the capacity "
                    f"{venue.capacity}",
                    file_name,
                    row,
                    "capacity",
                )
            )
        if venue.id in shares and abs(shares[venue.id] - 1.0) > SHARE_TOLERANCE:
            problems.append(
                Problem(
                    f"arrival shares of its transport nodes sum to {shares[venue.id]:.3f}, not 1",
                    file_name,
                    row,
                )
            )
    return problems
