"""Speed and memory of the screening engine on a synthetic watchlist of 1,000,000 entries.

Run: ``.venv/bin/python benchmarks/screening_speed.py [--entries 1000000] [--people 20000]``

Family names come from all 15,898 ar2en words so that a large list is not mostly homonyms.
The watchlist mixes scripts as agencies record names: 45 % Arab names in Latin script only, 25 %
in Arabic script only, 15 % in both (primary Latin name and an Arabic alias), 15 % Western names
(given and family names recombined from the negatives file). The people screened are 90 %
non-listed (fresh synthetic Arab people and Western recombinations) and 10 % respellings of
listed people; everyone gives a birth date, as registrations do, and half the entries have a
full birth date, a fifth the year only. Prints index build time, peak memory (maximum resident
set size of the process, which includes the generated data), batch people/s on every core, and
single-lookup latency percentiles over sequential calls.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from _screening_data import NameFactory, load_negatives, respell

from opsroom.screening import PartialDate, Person, Screener, WatchlistEntry, WatchlistIndex


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    factory = NameFactory(rng, wide_families=True)
    negatives = load_negatives()
    given = [n.name.split()[0] for n in negatives]
    family = [n.name.split()[-1] for n in negatives]

    def western() -> str:
        return f"{rng.choice(given)} {rng.choice(family)}"

    started = time.perf_counter()
    entries: list[WatchlistEntry] = []
    listed = []
    for k in range(args.entries):
        draw = rng.random()
        year = rng.randint(1950, 2004)
        draw_date = rng.random()
        date = (
            PartialDate(year=year, month=rng.randint(1, 12), day=rng.randint(1, 28))
            if draw_date < 0.5
            else PartialDate(year=year)
            if draw_date < 0.7
            else None
        )
        if draw < 0.85:
            person = factory.person()
            if k % 50 == 0:
                listed.append(person)
            if draw < 0.45:
                name, aliases = person.latin, ()
            elif draw < 0.70:
                name, aliases = person.arabic, ()
            else:
                name, aliases = person.latin, (person.arabic,)
        else:
            name, aliases = western(), ()
        entries.append(WatchlistEntry(id=f"E{k:07d}", name=name, aliases=aliases, birth_date=date))
    print(f"generated {len(entries):,} entries in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    index = WatchlistIndex.build(entries)
    build_s = time.perf_counter() - started
    print(f"index build: {build_s:.1f} s for {len(entries):,} entries ({len(index.names):,} names)")
    print(f"peak memory (max RSS of the process so far): {_peak_rss_gib():.2f} GiB")
    screener = Screener(index)

    people: list[Person] = []
    for k in range(args.people):
        draw = rng.random()
        if draw < 0.10 and listed:
            name = respell(rng, rng.choice(listed))
        elif draw < 0.55:
            fresh = factory.person()
            name = fresh.latin if k % 3 else fresh.arabic
        else:
            name = western()
        born = PartialDate(year=rng.randint(1950, 2004), month=rng.randint(1, 12), day=1)
        people.append(Person(id=f"P{k}", name=name, birth_date=born))

    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    results = screener.screen_many(people)
    batch_s = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = (
        children.ru_utime
        - children_before.ru_utime
        + children.ru_stime
        - children_before.ru_stime
        + own.ru_utime
        - self_before.ru_utime
        + own.ru_stime
        - self_before.ru_stime
    )
    alerts = sum(len(r) for r in results)
    print(
        f"batch: {len(people):,} people in {batch_s:.1f} s wall = {len(people) / batch_s:,.0f} "
        f"people/s on every core; {cpu_s:.1f} CPU-s in all = {len(people) / cpu_s:,.0f} people "
        f"per CPU-second ({alerts} alerts); load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores"
    )

    wall: list[float] = []
    cpu: list[float] = []
    for person in people[: args.lookups]:
        t0, c0 = time.perf_counter(), time.thread_time()
        screener.screen(person)
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    cuts = statistics.quantiles(wall, n=100)
    cpu_cuts = statistics.quantiles(cpu, n=100)
    print(
        f"single lookup over {len(wall)} sequential calls: wall p50 {cuts[49]:.2f} ms, "
        f"p99 {cuts[98]:.2f} ms, max {max(wall):.2f} ms; CPU p50 {cpu_cuts[49]:.2f} ms, "
        f"p99 {cpu_cuts[98]:.2f} ms"
    )

    path = Path(tempfile.gettempdir()) / "opsroom-screening-index.pickle"
    started = time.perf_counter()
    index.save(path)
    saved_s = time.perf_counter() - started
    started = time.perf_counter()
    WatchlistIndex.load(path)
    print(
        f"index save {saved_s:.1f} s, load {time.perf_counter() - started:.1f} s, "
        f"file {path.stat().st_size / 1024**2:,.0f} MiB"
    )
    path.unlink()
    print(f"peak memory (max RSS of the process): {_peak_rss_gib():.2f} GiB")


if __name__ == "__main__":
    main()
