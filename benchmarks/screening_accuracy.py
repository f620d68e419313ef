"""Accuracy of the screening engine at its default threshold, on development data.

Run: ``.venv/bin/python benchmarks/screening_accuracy.py [--listed 4000] [--seed 7]``

Builds a watchlist of synthetic Arab persons (half recorded in Latin script only, half in Arabic
script only; see ``_screening_data.py``) plus 10,000 people of the negatives file as Western
entries, then screens:

* Arabic-script queries for the Latin-only entries and Latin queries for the Arabic-only entries
  (cross-script recall), Latin respellings and typos of the Latin entries (respelling recall), each
  with the person's birth date and again by name alone;
* the other 40,000 people of the negatives file and fresh synthetic Arab persons (false alerts per
  1,000 non-listed people);
* people who share the given and father's names of a listed person but not the family name or the
  birth year ("hard negatives": they must not alert);
* the labelled person pairs of the nomenklatura name benchmark (name only).

It prints recall, false alerts per 1,000 and precision at the default threshold.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import replace

from _screening_data import NAMES_DIR, NameFactory, SyntheticPerson, load_negatives, respell

from opsroom.screening import DEFAULT_THRESHOLD, PartialDate, Person, Screener, WatchlistEntry
from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.names import parse_name
from opsroom.screening.rarity import Rarity
from opsroom.screening.scoring import Facts, PreparedName, score_names


def _entry_date(rng: random.Random, date: str) -> PartialDate | None:
    draw = rng.random()
    if draw < 0.6:
        return PartialDate.parse(date)
    if draw < 0.8:
        return PartialDate.parse(date[:4])
    return None


def _other_year(rng: random.Random, date: str) -> str:
    year = int(date[:4]) + rng.choice([-1, 1]) * rng.randint(2, 15)
    return f"{year:04d}{date[4:]}"


def _recall(screener: Screener, queries: Sequence[tuple[Person, str]]) -> tuple[float, int]:
    results = screener.screen_many([q for q, _ in queries])
    found = sum(
        1
        for (_, truth), hits in zip(queries, results, strict=True)
        if any(h.entry_id == truth for h in hits)
    )
    return found / max(1, len(queries)), len(queries) - found


def _nomenklatura(threshold: float) -> tuple[int, int, int, int]:
    rarity, table = Rarity(), EquivalenceTable.shipped()
    tp = fp = tn = fn = 0
    with (NAMES_DIR / "nomenklatura_name_bench_cases.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["schema"] != "Person":
                continue
            a = PreparedName.of(parse_name(row["name1"]), rarity, table)
            b = PreparedName.of(parse_name(row["name2"]), rarity, table)
            alert = score_names(a, Facts(), b, Facts()).score >= threshold
            truth = row["is_match"] == "true"
            tp += alert and truth
            fp += alert and not truth
            tn += (not alert) and not truth
            fn += (not alert) and truth
    return tp, fp, tn, fn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listed", type=int, default=4000, help="synthetic Arab entries")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    factory = NameFactory(rng)
    negatives = load_negatives()

    listed: list[tuple[SyntheticPerson, WatchlistEntry, str]] = []
    entries: list[WatchlistEntry] = []
    for k in range(args.listed):
        person = factory.person()
        script = "latn" if k % 2 == 0 else "ar"
        entry = WatchlistEntry(
            id=f"A{k:06d}",
            name=person.latin if script == "latn" else person.arabic,
            birth_date=_entry_date(rng, person.birth_date),
        )
        listed.append((person, entry, script))
        entries.append(entry)
    for k, neg in enumerate(negatives[:10_000]):
        entries.append(
            WatchlistEntry(
                id=f"W{k:06d}",
                name=neg.name,
                birth_date=PartialDate.parse(neg.birth_date) if neg.birth_date else None,
                gender=neg.gender or None,
            )
        )
    started = time.perf_counter()
    screener = Screener.from_entries(entries)
    print(f"watchlist: {len(entries)} entries indexed in {time.perf_counter() - started:.1f} s")

    cross: list[tuple[Person, str]] = []
    spelled: list[tuple[Person, str]] = []
    for k, (person, entry, script) in enumerate(listed):
        date = PartialDate.parse(person.birth_date)
        if script == "latn":
            cross.append((Person(id=f"x{k}", name=person.arabic, birth_date=date), entry.id))
            variant = respell(rng, person)
            spelled.append((Person(id=f"s{k}", name=variant, birth_date=date), entry.id))
        else:
            cross.append((Person(id=f"x{k}", name=person.latin, birth_date=date), entry.id))

    def name_only(qs: list[tuple[Person, str]]) -> list[tuple[Person, str]]:
        return [(replace(p, birth_date=None), t) for p, t in qs]

    ar_to_la = [q for q, (_, _, s) in zip(cross, listed, strict=True) if s == "latn"]
    la_to_ar = [q for q, (_, _, s) in zip(cross, listed, strict=True) if s == "ar"]
    t0 = time.perf_counter()
    figures = {
        "recall, Arabic query vs Latin-only entry": _recall(screener, ar_to_la),
        "recall, Latin query vs Arabic-only entry": _recall(screener, la_to_ar),
        "recall, Latin respellings and typos": _recall(screener, spelled),
        "recall, Arabic vs Latin-only, name only": _recall(screener, name_only(ar_to_la)),
        "recall, Latin vs Arabic-only, name only": _recall(screener, name_only(la_to_ar)),
        "recall, respellings and typos, name only": _recall(screener, name_only(spelled)),
    }
    for label, (value, missed) in figures.items():
        print(f"{label}: {value:.4f} ({missed} missed)")

    true_alerts = sum(
        1
        for hits, (_, truth) in zip(
            screener.screen_many([p for p, _ in cross + spelled]), cross + spelled, strict=True
        )
        for h in hits
        if h.entry_id == truth
    )
    all_positive_alerts = sum(len(h) for h in screener.screen_many([p for p, _ in cross + spelled]))

    non_listed_us = [
        Person(
            id=f"n{k}",
            name=neg.name,
            birth_date=PartialDate.parse(neg.birth_date) if neg.birth_date else None,
            gender=neg.gender or None,
        )
        for k, neg in enumerate(negatives[10_000:])
    ]
    listed_latin = {p.latin for p, _, _ in listed}
    fresh = [factory.person() for _ in range(5000)]
    non_listed_arab = [
        Person(
            id=f"f{k}",
            name=p.latin if k % 2 == 0 else p.arabic,
            birth_date=PartialDate.parse(p.birth_date),
        )
        for k, p in enumerate(fresh)
        if p.latin not in listed_latin
    ]
    hard: list[Person] = []
    for k, (person, _, script) in enumerate(listed[:2000]):
        other = factory.person()
        given = person.given_la if script == "latn" else person.given_ar
        family = other.family_la if script == "latn" else other.family_ar
        if family in (person.family_la, person.family_ar):
            continue
        hard.append(
            Person(
                id=f"h{k}",
                name=" ".join([*given, family]),
                birth_date=PartialDate.parse(_other_year(rng, person.birth_date)),
            )
        )
    us_alerts = sum(len(h) for h in screener.screen_many(non_listed_us))
    arab_alerts = sum(len(h) for h in screener.screen_many(non_listed_arab))
    hard_alerts = sum(bool(h) for h in screener.screen_many(hard))
    non_listed = len(non_listed_us) + len(non_listed_arab)
    print(
        f"false alerts per 1,000 non-listed people: "
        f"{1000 * (us_alerts + arab_alerts) / non_listed:.2f} "
        f"({us_alerts} on {len(non_listed_us)} negatives-file people, "
        f"{arab_alerts} on {len(non_listed_arab)} synthetic Arab people)"
    )
    print(f"hard negatives (same given and father's names) alerting: {hard_alerts} of {len(hard)}")
    false_alerts = all_positive_alerts - true_alerts + us_alerts + arab_alerts + hard_alerts
    precision = true_alerts / max(1, true_alerts + false_alerts)
    print(f"precision at threshold {DEFAULT_THRESHOLD}: {precision:.4f}")
    tp, fp, tn, fn = _nomenklatura(DEFAULT_THRESHOLD)
    print(
        f"nomenklatura person pairs (name only): {tp} of {tp + fn} matches alert, "
        f"{fp} of {fp + tn} non-matches alert"
    )
    print(f"screening time: {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
