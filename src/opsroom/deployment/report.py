"""Summaries of demand and rosters: rich tables and a PNG chart of cover against demand."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from opsroom.deployment.demand import Post
from opsroom.deployment.roster import Assignment
from opsroom.deployment.workforce import Officer

__all__ = ["cover_chart", "demand_table", "fairness", "roster_tables"]


def demand_table(posts: Sequence[Post]) -> Table:
    """Officer-shifts required per venue and day."""
    days = sorted({p.day for p in posts})
    venues = sorted({p.venue_id for p in posts})
    cells: dict[tuple[str, date], int] = defaultdict(int)
    for p in posts:
        cells[(p.venue_id, p.day)] += p.required
    table = Table(title=f"Demand: officers required per venue and day ({len(posts)} posts)")
    table.add_column("day")
    for v in venues:
        table.add_column(v, justify="right")
    table.add_column("total", justify="right", style="bold")
    for d in days:
        row = [cells.get((v, d), 0) for v in venues]
        table.add_row(d.isoformat(), *(str(c) if c else "" for c in row), str(sum(row)))
    return table


def fairness(assignments: Iterable[Assignment]) -> dict[str, float]:
    """Hours per officer used: mean, standard deviation, min and max (hours)."""
    hours: dict[str, float] = defaultdict(float)
    for a in assignments:
        hours[a.officer_id] += (a.end - a.start).total_seconds() / 3600
    values = list(hours.values()) or [0.0]
    return {
        "officers": float(len(hours)),
        "mean_h": statistics.fmean(values),
        "stdev_h": statistics.pstdev(values),
        "min_h": min(values),
        "max_h": max(values),
    }


def roster_tables(
    posts: Sequence[Post], assignments: Sequence[Assignment], officers: Sequence[Officer]
) -> list[Table]:
    """Coverage per venue and day, hours per agency, and the spread of hours per officer."""
    required: dict[tuple[str, date], int] = defaultdict(int)
    staffed: dict[tuple[str, date], int] = defaultdict(int)
    post_day = {p.id: p.day for p in posts}
    for p in posts:
        required[(p.venue_id, p.day)] += p.required
    for a in assignments:
        staffed[(a.venue_id, post_day.get(a.post_id, a.start.date()))] += 1
    cover = Table(title="Coverage: officers assigned / required")
    cover.add_column("day")
    venues = sorted({v for v, _ in required})
    for v in venues:
        cover.add_column(v, justify="right")
    for d in sorted({d for _, d in required}):
        cells = []
        for v in venues:
            need = required.get((v, d), 0)
            cells.append(f"{staffed.get((v, d), 0)}/{need}" if need else "")
        cover.add_row(d.isoformat(), *cells)

    partner = {o.id: o.partner for o in officers}
    agency_of = {o.id: o.agency for o in officers}
    by_agency: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_agency[agency_of.get(a.officer_id, a.agency)].append(a)
    agencies = Table(title="Hours per agency")
    for column in ("agency", "kind", "officers used", "shifts", "hours", "mean h/officer"):
        agencies.add_column(column, justify="left" if column in ("agency", "kind") else "right")
    for agency, rows in sorted(by_agency.items()):
        f = fairness(rows)
        kind = "partner" if partner.get(rows[0].officer_id) else "host"
        total = sum((a.end - a.start).total_seconds() for a in rows) / 3600
        agencies.add_row(
            agency,
            kind,
            f"{f['officers']:.0f}",
            str(len(rows)),
            f"{total:,.0f}",
            f"{f['mean_h']:.1f}",
        )
    f = fairness(assignments)
    spread = Table(title="Fairness: hours per officer used")
    for column in ("officers", "mean h", "std dev h", "min h", "max h"):
        spread.add_column(column, justify="right")
    spread.add_row(
        f"{f['officers']:.0f}",
        f"{f['mean_h']:.1f}",
        f"{f['stdev_h']:.1f}",
        f"{f['min_h']:.1f}",
        f"{f['max_h']:.1f}",
    )
    return [cover, agencies, spread]


def print_tables(console: Console, tables: Iterable[Table]) -> None:
    for table in tables:
        console.print(table)


def cover_chart(path: Path, posts: Sequence[Post], assignments: Sequence[Assignment]) -> None:
    """A PNG of officers on duty against officers required, hour by hour (UTC)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not posts:
        raise ValueError("no posts to chart")

    def hourly(intervals: Iterable[tuple[datetime, datetime, int]]) -> dict[datetime, int]:
        counts: dict[datetime, int] = defaultdict(int)
        for start, end, heads in intervals:
            t = start.replace(minute=0, second=0, microsecond=0)
            while t < end:
                counts[t] += heads
                t += timedelta(hours=1)
        return counts

    need = hourly((p.start, p.end, p.required) for p in posts)
    have = hourly((a.start, a.end, 1) for a in assignments)
    first, last = min(need), max(need)
    hours = []
    t = first
    while t <= last:
        hours.append(t)
        t += timedelta(hours=1)
    figure, axes = plt.subplots(figsize=(12, 4))
    # matplotlib's date numbers: days since 1970-01-01 UTC (its default epoch).
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    x = [(h - epoch).total_seconds() / 86400 for h in hours]
    axes.step(x, [need.get(h, 0) for h in hours], where="post", label="required", lw=1.5)
    axes.step(
        x,
        [have.get(h, 0) for h in hours],
        where="post",
        label="assigned",
        lw=1.0,
        linestyle="--",
    )
    axes.xaxis_date()
    axes.set_ylabel("officers on duty")
    axes.set_title("Cover against demand, hour by hour")
    axes.legend(loc="upper right")
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
