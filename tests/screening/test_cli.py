"""``opsroom screen``, as a user runs it."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from opsroom.cli import app

runner = CliRunner()

WATCHLIST = (
    "id,name,aliases,birth_date,nationality,doc_number\n"
    "W1,Mohamed Ahmed Al-Mansouri,محمد أحمد المنصوري,1980-05-02,QA,\n"
    "W2,Abdelkader Ben Salah Bouteflika,,1975,DZ,X123\n"
    "W3,Youssef Chérif,,19xx,ZZ,\n"
)
PEOPLE = (
    "id,name,birth_date,nationality,doc_number\n"
    "P1,محمد احمد المنصوري,1980-05-02,QA,\n"
    "P2,Abdulqadir bin Salih Butaflika,1975-03-01,,x-123\n"
    "P3,John Smith,1970,US,\n"
    "P4,,,,\n"
)


def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    watchlist, people = tmp_path / "w.csv", tmp_path / "p.csv"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    people.write_text(PEOPLE, encoding="utf-8")
    return watchlist, people, tmp_path / "hits.csv"


def test_batch_writes_hits_and_a_summary(tmp_path: Path) -> None:
    watchlist, people, out = files(tmp_path)
    args = ["screen", "--watchlist", str(watchlist), "--people", str(people), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["person_id"], r["entry_id"]) for r in rows] == [("P1", "W1"), ("P2", "W2")]
    assert "doc_number" in rows[1]["explanation"]
    assert "screened 3 people" in result.output
    assert "2 alerts" in result.output
    assert "3 warnings" in result.output  # bad date, bad country, empty name
    assert "row 5" in result.output


def test_threshold_option(tmp_path: Path) -> None:
    watchlist, people, out = files(tmp_path)
    args = ["screen", "--watchlist", str(watchlist), "--people", str(people), "--out", str(out)]
    result = runner.invoke(app, [*args, "--threshold", "0.9999"])
    assert result.exit_code == 0, result.output
    assert "0 alerts" in result.output


def test_name_lookup_prints_ranked_explained_hits(tmp_path: Path) -> None:
    watchlist, _, _ = files(tmp_path)
    result = runner.invoke(
        app, ["screen", "name", "Muhammad Ahmad Mansuri", "--watchlist", str(watchlist)]
    )
    assert result.exit_code == 0, result.output
    assert "1. W1" in result.stdout and "ALERT" in result.stdout
    assert "muhammad~" in result.stdout


def test_missing_options_and_files_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["screen", "--people", "p.csv"])
    assert result.exit_code == 2
    assert "--watchlist" in result.output
    missing = str(tmp_path / "nope.csv")
    result = runner.invoke(app, ["screen", "name", "Ali", "--watchlist", missing])
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_equivalences_option_extends_the_table(tmp_path: Path) -> None:
    watchlist, _, _ = files(tmp_path)
    extra = tmp_path / "eq.csv"
    extra.write_text("group,names\ncherif,Chérif|Sherbini\n", encoding="utf-8")
    args = ["screen", "name", "Youssef Sherbini", "--watchlist", str(watchlist)]
    without = runner.invoke(app, args)
    with_table = runner.invoke(app, [*args, "--equivalences", str(extra)])
    assert with_table.exit_code == 0, with_table.output
    assert "equivalent" in with_table.stdout
    assert "equivalent" not in without.stdout
