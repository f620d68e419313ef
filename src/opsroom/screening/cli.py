"""``opsroom screen``: screen a file of people against a watchlist, or look one name up.

    opsroom screen --watchlist W.csv --people P.csv --out HITS.csv [--threshold T]
    opsroom screen name "محمد بن علي" --watchlist W.csv

Progress goes to stderr, results to the file (batch) or stdout (lookup); the summary on stderr
counts people screened, alerts, people per second and warnings. Errors of input raise
:class:`~opsroom.errors.InvalidInputError`, which the root command turns into exit code 2.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from opsroom.errors import InvalidInputError, Problem
from opsroom.screening.equivalents import EquivalenceTable
from opsroom.screening.io import read_people, read_watchlist, write_hits
from opsroom.screening.model import PartialDate, Person
from opsroom.screening.scoring import DEFAULT_THRESHOLD
from opsroom.screening.screener import Screener

app = typer.Typer(
    help="Screen people against a watchlist, in Arabic and Latin script.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
)

WatchlistOption = Annotated[
    Path | None,
    typer.Option(
        "--watchlist", help="WATCHLIST.csv: id,name,aliases,birth_date,nationality,doc_number"
    ),
]
ThresholdOption = Annotated[
    float,
    typer.Option("--threshold", min=0.0, max=1.0, help="Alert at or above this score."),
]
EquivalencesOption = Annotated[
    Path | None,
    typer.Option("--equivalences", help="Extra given-name equivalences (CSV: group,names)."),
]
LOOKUP_FLOOR = 0.5  # the lookup also shows near misses down to this score, marked as such


def _warn(console: Console, warnings: list[Problem], limit: int = 20) -> None:
    for problem in warnings[:limit]:
        console.print(f"[yellow]warning:[/] {escape(str(problem))}")
    if len(warnings) > limit:
        console.print(f"[yellow]warning:[/] ... and {len(warnings) - limit} more")


def _screener(
    watchlist: Path, equivalences: Path | None, threshold: float, err: Console
) -> tuple[Screener, int]:
    started = time.perf_counter()
    read = read_watchlist(watchlist)
    _warn(err, read.warnings)
    if not read.records:
        raise InvalidInputError(f"{watchlist} holds no usable entry")
    table = EquivalenceTable.shipped_and_file(equivalences)
    screener = Screener.from_entries(read.records, equivalences=table, threshold=threshold)
    err.print(
        f"watchlist: {len(read.records)} entries indexed in {time.perf_counter() - started:.1f} s"
    )
    return screener, len(read.warnings)


@app.callback()
def screen_batch(
    ctx: typer.Context,
    watchlist: WatchlistOption = None,
    people: Annotated[
        Path | None,
        typer.Option("--people", help="PEOPLE.csv: id,name,birth_date,nationality,doc_number"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="HITS.csv: person_id,entry_id,score,explanation")
    ] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    equivalences: EquivalencesOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="Processes (default: one per core).")
    ] = None,
) -> None:
    """Screen PEOPLE.csv against WATCHLIST.csv and write one row per alert to HITS.csv."""
    if ctx.invoked_subcommand is not None:
        return
    if watchlist is None or people is None or out is None:
        raise InvalidInputError(
            "screening a file needs --watchlist, --people and --out "
            "(or use: opsroom screen name NAME --watchlist FILE)"
        )
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    screener, warning_count = _screener(watchlist, equivalences, threshold, err)
    read = read_people(people)
    _warn(err, read.warnings)
    warning_count += len(read.warnings)
    started = time.perf_counter()
    with Progress(
        TextColumn("screening"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        auto_refresh=False,  # no refresh thread: the batch forks worker processes
        transient=True,
    ) as progress:
        task = progress.add_task("screening", total=len(read.records))

        def advance(done: int) -> None:
            progress.update(task, advance=done)
            progress.refresh()

        results = screener.screen_many(read.records, workers=workers, on_progress=advance)
    elapsed = max(time.perf_counter() - started, 1e-9)
    alerts = write_hits(out, (hit for hits in results for hit in hits))
    flagged = sum(1 for hits in results if hits)
    err.print(
        f"screened {len(read.records)} people in {elapsed:.1f} s "
        f"({len(read.records) / elapsed:,.0f} people/s): {alerts} alerts on {flagged} people "
        f"at threshold {threshold}; {warning_count} warnings; hits in {out}"
    )


@app.command("name")
def screen_name(
    name: Annotated[str, typer.Argument(help="The name to look up, in any script.")],
    watchlist: WatchlistOption = None,
    birth_date: Annotated[
        str | None, typer.Option("--birth-date", help="YYYY, YYYY-MM or YYYY-MM-DD")
    ] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    equivalences: EquivalencesOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 10,
) -> None:
    """Look one name up and print ranked hits (and near misses) with their explanations."""
    if watchlist is None:
        raise InvalidInputError("a lookup needs --watchlist")
    if not name.strip():
        raise InvalidInputError("the name to look up is empty")
    try:
        date = PartialDate.parse(birth_date) if birth_date else None
    except ValueError as exc:
        raise InvalidInputError(f"--birth-date: {exc}") from exc
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    out = Console(highlight=False, soft_wrap=True)
    screener, _ = _screener(watchlist, equivalences, threshold, err)
    started = time.perf_counter()
    hits = screener.screen(
        Person(id="lookup", name=name, birth_date=date), threshold=min(threshold, LOOKUP_FLOOR)
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not hits:
        out.print(f"no hit for {escape(name)} (looked up in {elapsed_ms:.1f} ms)")
        return
    for rank, hit in enumerate(hits[:limit], start=1):
        mark = "ALERT" if hit.score >= threshold else "below threshold"
        out.print(f"{rank}. {hit.entry_id}  score {hit.score:.4f}  {mark}")
        out.print(f"   {escape(hit.explanation())}")
    out.print(
        f"{len(hits)} hit(s) at or above {min(threshold, LOOKUP_FLOOR)} in {elapsed_ms:.1f} ms"
    )
