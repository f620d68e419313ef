"""Tiny factories for screening tests: a handful of listed people in both scripts."""

from __future__ import annotations

from opsroom.screening import PartialDate, Person, Screener, WatchlistEntry


def entry(
    entry_id: str,
    name: str,
    *,
    aliases: tuple[str, ...] = (),
    born: str | None = None,
    nationality: str | None = None,
    doc: str | None = None,
) -> WatchlistEntry:
    return WatchlistEntry(
        id=entry_id,
        name=name,
        aliases=aliases,
        birth_date=PartialDate.parse(born) if born else None,
        nationality=nationality,
        doc_number=doc,
    )


def person(name: str, *, born: str | None = None, doc: str | None = None) -> Person:
    return Person(
        id="p1", name=name, birth_date=PartialDate.parse(born) if born else None, doc_number=doc
    )


LISTED = (
    entry("W1", "Mohamed Ahmed Al-Mansouri", born="1980-05-02", nationality="QA"),
    entry("W2", "عبد القادر بن صالح بوتفليقة", born="1975"),
    entry("W3", "Youssef Chérif", aliases=("يوسف الشريف",)),
    entry("W4", "Mohamed Ali"),
    entry("W5", "Khalid Saeed Al-Qahtani", born="1990-01-10", doc="N1234567"),
    entry("W6", "John Michael Smith", born="1970-03-04"),
)


def small_screener() -> Screener:
    return Screener.from_entries(LISTED)
