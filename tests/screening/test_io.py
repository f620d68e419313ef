"""The CSV contract: bad input gives a clear error or a counted warning naming the row."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from opsroom.errors import InvalidInputError
from opsroom.screening.io import read_people, read_watchlist, write_hits
from tests.screening.factories import person, small_screener

HEADER = "id,name,aliases,birth_date,nationality,doc_number\n"


def write(tmp_path: Path, text: str | bytes, name: str = "w.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_reads_a_good_watchlist_with_bom_aliases_and_partial_dates(tmp_path: Path) -> None:
    body = HEADER + "W1,Mohamed Ali,محمد علي|Mohammed Aly,1980-05,qa,AB 123\n"
    read = read_watchlist(write(tmp_path, b"\xef\xbb\xbf" + body.encode()))
    assert read.warnings == []
    entry = read.records[0]
    assert entry.aliases == ("محمد علي", "Mohammed Aly")
    assert (entry.birth_date and entry.birth_date.month) == 5
    assert entry.nationality == "QA"


def test_missing_columns_are_an_error_naming_them(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="lacks the column") as caught:
        read_people(write(tmp_path, "id,full_name\n1,Ali\n"))
    assert caught.value.problems[0].field == "name"


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="empty"):
        read_watchlist(write(tmp_path, ""))


def test_bad_values_become_warnings_naming_the_row(tmp_path: Path) -> None:
    body = (
        HEADER
        + "W1,Ali Hassan,,19xx,ZZ,\n"  # bad date, unknown country: values dropped
        + "W2,,,,,\n"  # no name: row skipped
        + "W1,Omar Hassan,,,,\n"  # repeated id: row skipped
        + ",Omar Said,,,,\n"  # no id: row skipped
    )
    read = read_watchlist(write(tmp_path, body))
    assert [e.id for e in read.records] == ["W1"]
    assert read.records[0].birth_date is None and read.records[0].nationality is None
    where = [(p.row, p.field) for p in read.warnings]
    assert where == [(2, "birth_date"), (2, "nationality"), (3, "name"), (4, "id"), (5, "id")]


def test_lines_in_another_encoding_are_read_with_a_warning(tmp_path: Path) -> None:
    good = b"id,name,birth_date,nationality,doc_number\n1,Ali Hassan,,,\n"
    arabic_cp1256 = "2,محمد علي,,,\n".encode("cp1256")
    doubly = "3,Chérif Ali,,,\n".encode().decode("latin-1").encode()
    read = read_people(write(tmp_path, good + arabic_cp1256 + doubly, "p.csv"))
    names = [p.name for p in read.records]
    assert names == ["Ali Hassan", "محمد علي", "Chérif Ali"]
    assert [p.row for p in read.warnings] == [3, 4]


def test_ragged_rows_and_missing_optional_columns_are_reported(tmp_path: Path) -> None:
    read = read_people(write(tmp_path, "id,name\n1,Ali,extra\n", "p.csv"))
    assert read.records[0].name == "Ali"
    assert [(p.row, p.field) for p in read.warnings] == [
        (1, "birth_date"),
        (1, "nationality"),
        (1, "doc_number"),
        (2, None),
    ]


def test_hits_file_has_the_contract_columns_best_first(tmp_path: Path) -> None:
    hits = small_screener().screen(person("Khalid Saeed Al-Qahtani"), threshold=0.0)
    out = tmp_path / "hits.csv"
    assert write_hits(out, hits) == len(hits)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["person_id", "entry_id", "score", "explanation"]
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert not (tmp_path / "hits.csv.part").exists()
