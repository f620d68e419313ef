"""A synthetic watchlist and registration batch for the replay: invented people, no real data.

The watchlist holds a few invented entries, each with an alias in another spelling and one in
Arabic script. The registration batch hides, among ordinary invented applicants, some of them
under other spellings (Mohamed/Muhammad, Abdellatif/Abd al-Latif, el-/al-, ben/bin, Arabic
script), one namesake with another birth date, and otherwise names that should not alert.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, kw_only=True)
class WatchlistPlan:
    key: str
    name: str
    aliases: tuple[str, ...]
    birth_date: date | None
    nationality: str | None
    doc_number: str | None
    shared_with: tuple[str, ...]
    tlp: str


@dataclass(frozen=True, kw_only=True)
class PersonPlan:
    id: str
    name: str
    birth_date: date | None
    nationality: str | None
    doc_number: str | None
    hidden_entry: str | None = None
    """The watchlist entry this invented person stands for, if any (what screening should find)."""


def watchlist() -> tuple[WatchlistPlan, ...]:
    """Invented entries shared by the host with one partner (TLP:AMBER)."""
    rows = (
        (
            "wl-1",
            "Mohamed Abdellatif El Khatib",
            ("Muhammad Abd al-Latif al-Khatib", "محمد عبد اللطيف الخطيب"),
            date(1987, 3, 14),
            "XX",
        ),
        ("wl-2", "Youssef Ben Salem", ("Yusuf bin Salim", "يوسف بن سالم"), date(1991, 7, 2), "XX"),
        ("wl-3", "Karim Haddad", ("Kareem Al Haddad",), date(1979, 11, 30), "XX"),
        ("wl-4", "Omar Farouk Benali", ("Umar Faruq Ben Ali",), date(1984, 5, 21), "XX"),
    )
    return tuple(
        WatchlistPlan(
            key=key,
            name=name,
            aliases=aliases,
            birth_date=born,
            nationality=nationality,
            doc_number=None,
            shared_with=("MA-DGSN",),
            tlp="amber",
        )
        for key, name, aliases, born, nationality in rows
    )


_GIVEN = (
    "Ahmed", "Fatima", "John", "Maria", "Lucas", "Sofia", "Hamza", "Leila", "Pierre", "Ana",
    "Kenji", "Amina", "Noah", "Ines", "Tariq", "Chloe", "Mateo", "Salma", "Erik", "Aisha",
)  # fmt: skip
_FAMILY = (
    "Smith", "Garcia", "Dubois", "Rossi", "Tanaka", "Okafor", "Nielsen", "Kowalski", "Silva",
    "Mensah", "Novak", "Moreau", "Park", "Jensen", "Haddou", "Costa", "Brown", "Lefevre",
)  # fmt: skip
_NATIONS = ("GB", "FR", "ES", "BR", "JP", "NG", "DK", "PL", "AR", "MA", "QA", "US")


def registration_batch(
    entries: tuple[WatchlistPlan, ...], *, size: int, seed: int = 2022
) -> tuple[PersonPlan, ...]:
    """``size`` invented fan-ID registrations, some of them watchlisted people in disguise."""
    by_key = {e.key: e for e in entries}
    hidden = [
        ("Muhammad Abdullatif Alkhatib", "wl-1", True),
        ("يوسف بن سالم", "wl-2", True),
        ("Yousef Bin Salem", "wl-2", True),
        ("Karim Hadad", "wl-3", False),
        ("Omar Faruk Ben Ali", "wl-4", True),
    ]
    rng = random.Random(seed)
    people: list[PersonPlan] = []
    for number in range(size):
        person_id = f"REG-{number + 1:05d}"
        if number % 23 == 7 and hidden:
            name, key, same_birth = hidden.pop(0)
            entry = by_key.get(key)
            born = entry.birth_date if entry is not None and same_birth else date(1995, 1, 9)
            people.append(
                PersonPlan(
                    id=person_id,
                    name=name,
                    birth_date=born,
                    nationality="XX",
                    doc_number=f"P{rng.randrange(10**7, 10**8)}",
                    hidden_entry=key,
                )
            )
            continue
        people.append(
            PersonPlan(
                id=person_id,
                name=f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}",
                birth_date=date(
                    rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
                ),
                nationality=rng.choice(_NATIONS),
                doc_number=f"P{rng.randrange(10**7, 10**8)}",
            )
        )
    return tuple(people)
