"""Given-name equivalences: spellings and cognates that name the same given name.

The shipped table (``data/given_name_equivalents.csv``, columns ``group,names`` with names
separated by ``|``) lists cognates across languages (Yusuf/Joseph, Musa/Moses, Yahya/John) and
spellings whose phonetic keys differ (Mohand, Mamadou and Hamada for Muhammad; Djamel/Gamal for
Jamal). It is a starting point to extend, not a reference: a user adds rows in the same format and
passes the file with ``--equivalents`` (CLI) or :meth:`EquivalenceTable.extended` (API).

Names are looked up by phonetic key, so one row covers every spelling that shares a key with a
listed spelling. A token in a group matches any other token of the group as an *equivalent*.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.files import read_text
from opsroom.screening.names import TokenKind, parse_name

_SHIPPED = "given_name_equivalents.csv"
MIN_KEY_LENGTH = 3


@dataclass(frozen=True, slots=True)
class EquivalenceTable:
    """Phonetic key -> the groups it belongs to."""

    groups_by_key: dict[str, frozenset[str]]
    keys_by_group: dict[str, tuple[str, ...]]

    @classmethod
    def from_groups(cls, groups_by_key: dict[str, frozenset[str]]) -> EquivalenceTable:
        """A table from key -> groups (the reverse look-up is derived)."""
        keys_by_group: dict[str, list[str]] = {}
        for key, groups in groups_by_key.items():
            for group in groups:
                keys_by_group.setdefault(group, []).append(key)
        return cls(groups_by_key, {g: tuple(sorted(k)) for g, k in keys_by_group.items()})

    def groups(self, key: str) -> frozenset[str]:
        """The equivalence groups of a token key (empty when the key is in none)."""
        return self.groups_by_key.get(key, frozenset())

    def equivalent(self, key_a: str, key_b: str) -> bool:
        """True when two token keys share an equivalence group."""
        groups_a = self.groups(key_a)
        return bool(groups_a) and not groups_a.isdisjoint(self.groups(key_b))

    def keys_of(self, group: str) -> tuple[str, ...]:
        """Every key listed in one group."""
        return self.keys_by_group.get(group, ())

    def extended(self, text: str, *, source: str = "equivalences") -> EquivalenceTable:
        """A new table with the rows of ``text`` (same CSV format) added."""
        merged = {k: set(v) for k, v in self.groups_by_key.items()}
        for key, group in _read_rows(text, source):
            merged.setdefault(key, set()).add(group)
        return EquivalenceTable.from_groups({k: frozenset(v) for k, v in merged.items()})

    @classmethod
    def shipped(cls) -> EquivalenceTable:
        """The table that comes with opsroom."""
        text = resources.files("opsroom.screening.data").joinpath(_SHIPPED).read_text("utf-8")
        return cls({}, {}).extended(text, source=_SHIPPED)

    @classmethod
    def shipped_and_file(cls, path: Path | None) -> EquivalenceTable:
        """The shipped table, extended by a user's file when one is given."""
        table = cls.shipped()
        if path is None:
            return table
        try:
            text = read_text(path, what="equivalences file")
        except NotFoundError:
            raise InvalidInputError(f"cannot read equivalences file {path}: no such file") from None
        return table.extended(text, source=str(path))


_DISTINCT = "distinct_given_names.csv"


@dataclass(frozen=True, slots=True)
class DistinctNames:
    """Given names that share a phonetic key but are different names (Mohammed and Mahmoud,
    Hassan and Hussein, Omar and Amr): normalised spelling -> name.

    Two tokens whose spellings are both listed under different names are told apart even though
    their keys agree. The shipped table (``data/distinct_given_names.csv``, same format as the
    equivalences) lists the most frequent such collisions among Arab given names, with the
    spellings of both schools and the Arabic spelling; a spelling listed under two names (Salim)
    is left out of the test.
    """

    name_of: dict[str, str]

    def differ(self, text_a: str, text_b: str) -> bool:
        """True when both spellings are listed and name different given names."""
        name_a = self.name_of.get(text_a)
        if name_a is None:
            return False
        name_b = self.name_of.get(text_b)
        return name_b is not None and name_a != name_b

    @classmethod
    def shipped(cls) -> DistinctNames:
        text = resources.files("opsroom.screening.data").joinpath(_DISTINCT).read_text("utf-8")
        names: dict[str, str] = {}
        ambiguous: set[str] = set()
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            for name in (row.get("names") or "").split("|"):
                tokens = [t for t in parse_name(name).tokens if t.kind is TokenKind.NAME]
                if len(tokens) != 1:
                    continue
                spelling = tokens[0].text
                if spelling in names and names[spelling] != row["group"]:
                    ambiguous.add(spelling)
                names[spelling] = row["group"]
        return cls({k: v for k, v in names.items() if k not in ambiguous})


def _read_rows(text: str, source: str) -> list[tuple[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"group", "names"} <= set(reader.fieldnames):
        raise InvalidInputError(
            f"{source} must have the columns group,names",
            [Problem("missing column group or names", file=source, row=1)],
        )
    rows: list[tuple[str, str]] = []
    for row_number, row in enumerate(reader, start=2):
        group = (row.get("group") or "").strip()
        names = [n for n in (row.get("names") or "").split("|") if n.strip()]
        if not group or not names:
            raise InvalidInputError(
                f"{source} has an empty group or names",
                [Problem("empty group or names", file=source, row=row_number)],
            )
        for name in names:
            tokens = [t for t in parse_name(name).tokens if t.kind is TokenKind.NAME]
            # Keys shorter than 3 letters name too many different names to stand for one.
            if len(tokens) == 1 and len(tokens[0].key) >= MIN_KEY_LENGTH:
                rows.append((tokens[0].key, group))
    return rows
