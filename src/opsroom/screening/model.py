"""The frozen values of screening: partial dates, watchlist entries, people, hits and explanations.

All of them are plain frozen dataclasses with keyword-only constructors; a :class:`Hit` turns into
JSON-ready data with :meth:`Hit.to_dict` so a service can store or send it with its explanation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opsroom.errors import InvalidInputError, Problem

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class PartialDate:
    """A birth date known to the year, the month or the day (``YYYY``, ``YYYY-MM``,
    ``YYYY-MM-DD``)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2100:
            raise ValueError(f"year {self.year} is outside 1800-2100")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None and (self.month is None or not 1 <= self.day <= 31):
            raise ValueError(f"day {self.day} is not valid")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Read ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; raise ``ValueError`` on anything else."""
        match = _DATE.match(text.strip())
        if match is None:
            raise ValueError(f"'{text}' is not YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = match.groups()
        return cls(
            year=int(year),
            month=int(month) if month else None,
            day=int(day) if day else None,
        )

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def normalise_doc_number(text: str) -> str:
    """Document numbers compare on letters and digits only, upper-case
    (``ab-123 45`` -> ``AB12345``)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


@dataclass(frozen=True, slots=True, kw_only=True)
class WatchlistEntry:
    """One listed person: a primary name, aliases in any script, and optional identifiers."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    birth_date: PartialDate | None = None
    nationality: str | None = None  # ISO 3166-1 alpha-2, upper case
    doc_number: str | None = None
    gender: str | None = None  # "m" or "f"

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise InvalidInputError("a watchlist entry needs an id", [Problem("empty id")])
        if not self.name.strip() and not any(a.strip() for a in self.aliases):
            raise InvalidInputError(
                f"watchlist entry {self.id} has no name", [Problem("empty name", field="name")]
            )

    @property
    def names(self) -> tuple[str, ...]:
        """The primary name and every alias, non-empty ones only."""
        return tuple(n for n in (self.name, *self.aliases) if n.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class Person:
    """One person to screen (a registration, an applicant, a name typed at a gate)."""

    id: str
    name: str
    birth_date: PartialDate | None = None
    nationality: str | None = None
    doc_number: str | None = None
    gender: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInputError(
                f"person {self.id} has no name", [Problem("empty name", field="name")]
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenMatch:
    """How one token of the person's name lined up with one token of the listed name."""

    query: str
    listed: str
    similarity: float
    how: str  # "exact", "phonetic", "equivalent", "fuzzy"
    weight: float  # rarity weight of the pair, 0..1 (1 = rare)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One feature's push on the score, in log-odds units, and why."""

    feature: str
    value: float
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Hit:
    """A listed entry that a person may be, with its score in [0, 1] and the explanation."""

    person_id: str
    entry_id: str
    score: float
    matched_name: str
    tokens: tuple[TokenMatch, ...] = ()
    unmatched_query: tuple[str, ...] = ()
    unmatched_listed: tuple[str, ...] = ()
    contributions: tuple[Contribution, ...] = field(default=())

    def explanation(self) -> str:
        """One line for an analyst: the token alignment, then each feature's push on the score."""
        parts = [
            f"{m.query}~{m.listed} {m.how} {m.similarity:.2f} w{m.weight:.2f}" for m in self.tokens
        ]
        if self.unmatched_query:
            parts.append("unmatched in person: " + " ".join(self.unmatched_query))
        if self.unmatched_listed:
            parts.append("unmatched in entry: " + " ".join(self.unmatched_listed))
        moves = ", ".join(f"{c.feature} {c.value:+.2f} ({c.detail})" for c in self.contributions)
        return f"name '{self.matched_name}': " + "; ".join(parts) + f" | {moves}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (only str, float and lists/dicts of them)."""
        return {
            "person_id": self.person_id,
            "entry_id": self.entry_id,
            "score": self.score,
            "matched_name": self.matched_name,
            "tokens": [
                {
                    "query": m.query,
                    "listed": m.listed,
                    "similarity": m.similarity,
                    "how": m.how,
                    "weight": m.weight,
                }
                for m in self.tokens
            ],
            "unmatched_query": list(self.unmatched_query),
            "unmatched_listed": list(self.unmatched_listed),
            "contributions": [
                {"feature": c.feature, "value": c.value, "detail": c.detail}
                for c in self.contributions
            ],
            "explanation": self.explanation(),
        }
