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
* the labelled person pairs of the nomenklatura name benchmark (name only);

and the agreement of the phonetic key across scripts on the 15,898 words of ``ar2en``.

It prints recall, false alerts per 1,000 and precision at the default threshold.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from dataclasses import replace

from _screening_data import NAMES_DIR, NameFactory, SyntheticPerson, load_negatives, respell
from rapidfuzz.distance import Levenshtein

from opsroom.screening import (
    DEFAULT_THRESHOLD,
    Hit,
    PartialDate,
    Person,
    Screener,
    WatchlistEntry,
)
from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.names import parse_name
from opsroom.screening.rarity import Rarity
from opsroom.screening.scoring import Facts, PreparedName, score_names
from opsroom.screening.scripts import arabic_key, fold_latin, latin_key, normalise_arabic

SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


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


def _key_agreement() -> tuple[int, float, float]:
    """Share of ar2en words whose Arabic and Latin keys are equal, and one edit apart."""
    same = near = total = 0
    for line in (NAMES_DIR / "google_ar2en.tsv").read_text("utf-8").splitlines():
        arabic, latin = line.split("\t")
        distance = Levenshtein.distance(
            arabic_key(normalise_arabic(arabic)), latin_key(fold_latin(latin))
        )
        total += 1
        same += distance == 0
        near += distance == 1
    return total, same / total, near / total


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
    parser.add_argument("--show", type=int, default=0, help="print this many misses and alerts")
    parser.add_argument("--negatives", type=int, default=40_000, help="non-listed people screened")
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
    non_listed_us = [
        Person(
            id=f"n{k}",
            name=neg.name,
            birth_date=PartialDate.parse(neg.birth_date) if neg.birth_date else None,
            gender=neg.gender or None,
        )
        for k, neg in enumerate(negatives[10_000 : 10_000 + args.negatives])
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
    hard_source: list[str] = []
    for k, (person, source, script) in enumerate(listed[:2000]):
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
        hard_source.append(source.id)

    t0 = time.perf_counter()
    floor = Screener(screener.index, threshold=SWEEP[0])
    positives = {
        "Arabic query vs Latin-only entry": ar_to_la,
        "Latin query vs Arabic-only entry": la_to_ar,
        "Latin respellings and typos": spelled,
        "Arabic vs Latin-only, name only": name_only(ar_to_la),
        "Latin vs Arabic-only, name only": name_only(la_to_ar),
        "respellings and typos, name only": name_only(spelled),
    }
    found = {label: floor.screen_many([p for p, _ in qs]) for label, qs in positives.items()}
    us = floor.screen_many(non_listed_us)
    arab = floor.screen_many(non_listed_arab)
    hard_hits = floor.screen_many(hard)
    non_listed = len(non_listed_us) + len(non_listed_arab)

    def truth_score(hits: list[Hit], truth: str) -> float:
        return max((h.score for h in hits if h.entry_id == truth), default=0.0)

    print(f"figures at the default threshold {DEFAULT_THRESHOLD}:")
    for label, qs in positives.items():
        scores = [truth_score(h, t) for h, (_, t) in zip(found[label], qs, strict=True)]
        hit = sum(s >= DEFAULT_THRESHOLD for s in scores)
        print(f"  recall, {label}: {hit / len(qs):.4f} ({len(qs) - hit} of {len(qs)} missed)")
        for person, truth in [q for q, s in zip(qs, scores, strict=True) if s < DEFAULT_THRESHOLD][
            : args.show
        ]:
            near = [h for h in screener.screen(person, threshold=0.0) if h.entry_id == truth]
            why = f"{near[0].score:.3f} {near[0].explanation()}" if near else "not a candidate"
            print(f"    missed {person.name} -> {truth}: {why}")

    def alerts(results: list[list[Hit]], threshold: float) -> int:
        return sum(1 for hits in results for h in hits if h.score >= threshold)

    us_alerts, arab_alerts = alerts(us, DEFAULT_THRESHOLD), alerts(arab, DEFAULT_THRESHOLD)
    print(
        f"  false alerts per 1,000 non-listed people: "
        f"{1000 * (us_alerts + arab_alerts) / non_listed:.2f} "
        f"({us_alerts} on {len(non_listed_us)} negatives-file people, "
        f"{arab_alerts} on {len(non_listed_arab)} synthetic Arab people)"
    )
    for person, hits in list(zip(non_listed_us + non_listed_arab, us + arab, strict=True)):
        for hit in [h for h in hits if h.score >= DEFAULT_THRESHOLD][: args.show]:
            print(f"    false alert {person.name} {person.birth_date}: {hit.explanation()}")
    hard_alerting = sum(any(h.score >= DEFAULT_THRESHOLD for h in hits) for hits in hard_hits)
    for person, hits in zip(hard, hard_hits, strict=True):
        for hit in [h for h in hits if h.score >= DEFAULT_THRESHOLD][: args.show]:
            print(f"    hard negative {person.name} {person.birth_date}: {hit.explanation()}")
    on_source = sum(
        any(h.score >= DEFAULT_THRESHOLD and h.entry_id == source for h in hits)
        for hits, source in zip(hard_hits, hard_source, strict=True)
    )
    print(
        f"  hard negatives (same given and father's names as a listed person, other family name "
        f"and birth year): {on_source} of {len(hard)} alert on that listed person; "
        f"{hard_alerting} alert on any entry"
    )

    print(
        "threshold sweep: recall (cross-script with date, respellings with date), false alerts "
        "per 1,000, hard negatives alerting, precision"
    )
    with_date = list(positives)[:3]
    for threshold in SWEEP:
        recalls = []
        true_alerts = all_alerts = 0
        for label in with_date:
            qs = positives[label]
            scores = [truth_score(h, t) for h, (_, t) in zip(found[label], qs, strict=True)]
            recalls.append(sum(s >= threshold for s in scores) / len(qs))
            true_alerts += sum(s >= threshold for s in scores)
            all_alerts += alerts(found[label], threshold)
        false = alerts(us, threshold) + alerts(arab, threshold)
        hard_t = sum(any(h.score >= threshold for h in hits) for hits in hard_hits)
        all_alerts += false + alerts(hard_hits, threshold)
        mark = "  <- default" if abs(threshold - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"  {threshold:.2f}: recall {' / '.join(f'{r:.4f}' for r in recalls)}; "
            f"false alerts {1000 * false / non_listed:.2f}; hard {hard_t}; "
            f"precision {true_alerts / max(1, all_alerts):.4f}{mark}"
        )
    total, same, near = _key_agreement()
    print(
        f"phonetic key of the {total:,} ar2en words: equal in both scripts for {same:.1%}, "
        f"one edit apart for {near:.1%}"
    )
    tp, fp, tn, fn = _nomenklatura(DEFAULT_THRESHOLD)
    print(
        f"nomenklatura person pairs (name only): {tp} of {tp + fn} matches alert, "
        f"{fp} of {fp + tn} non-matches alert"
    )
    print(f"screening time: {time.perf_counter() - t0:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
