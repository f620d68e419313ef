"""The given-name equivalence table: shipped rows and a user's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsroom.errors import InvalidInputError
from opsroom.screening import EquivalenceTable, parse_name


def key(name: str) -> str:
    return parse_name(name).name_tokens[0].key


def test_shipped_table_links_cognates() -> None:
    table = EquivalenceTable.shipped()
    assert table.equivalent(key("Joseph"), key("يوسف"))
    assert table.equivalent(key("Ishmael"), key("Ismail"))
    assert not table.equivalent(key("Joseph"), key("Ismail"))


def test_a_user_file_extends_the_table(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("group,names\nfaraj,Faraj|Farag|فرج\n", encoding="utf-8")
    assert not EquivalenceTable.shipped().equivalent(key("Faraj"), key("Farag"))
    table = EquivalenceTable.shipped_and_file(path)
    assert table.equivalent(key("Farag"), key("Faraj"))
    assert table.equivalent(key("Joseph"), key("Yusuf"))  # shipped rows kept


def test_a_malformed_user_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name\nAli\n", encoding="utf-8")
    with pytest.raises(InvalidInputError, match="group,names"):
        EquivalenceTable.shipped_and_file(path)
    with pytest.raises(InvalidInputError, match="cannot read"):
        EquivalenceTable.shipped_and_file(tmp_path / "missing.csv")
