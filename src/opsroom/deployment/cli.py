"""``opsroom roster``: staffing demand, rosters, checks, repairs and the Curtois benchmark.

Each command reads its inputs, calls the pure core and writes files; errors of ours become a
message and exit code 2 in the root command.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from opsroom.deployment.curtois.instance import read_instance
from opsroom.deployment.curtois.solution_io import write_solution
from opsroom.deployment.curtois.solve import solve_instance
from opsroom.deployment.demand import DemandRules, Post, build_demand, load_rules
from opsroom.deployment.planner import plan_roster
from opsroom.deployment.repair import RepairResult, repair_roster
from opsroom.deployment.report import cover_chart, demand_table, print_tables, roster_tables
from opsroom.deployment.roster import Shortfall
from opsroom.deployment.roster_io import (
    read_dropouts,
    read_roster,
    write_roster,
    write_shortfalls,
)
from opsroom.deployment.rules import RosterRules
from opsroom.deployment.validate import check_roster
from opsroom.deployment.workforce import Officer
from opsroom.deployment.workforce_io import generate_workforce, read_workforce, write_workforce
from opsroom.errors import InfeasibleError, InvalidInputError, Problem
from opsroom.files import Outputs
from opsroom.scenario import Scenario, load_scenario

app = typer.Typer(
    help="Deployment: staffing demand, officer rosters, checks, repairs and benchmarks.",
    no_args_is_help=True,
)

_err = Console(stderr=True, highlight=False)


@app.command()
def benchmark(
    instance: Annotated[Path, typer.Option(help="A Curtois instance file (InstanceN.txt).")],
    time_limit: Annotated[
        float, typer.Option(min=0.1, help="Seconds of solving (wall clock).")
    ] = 60.0,
    out: Annotated[Path, typer.Option(help="SOLUTION.csv to write (employee,day,shift).")] = Path(
        "SOLUTION.csv"
    ),
    workers: Annotated[int, typer.Option(min=1, max=8, help="CP-SAT worker threads.")] = 2,
    seed: Annotated[int, typer.Option(help="Random seed of the neighbourhood search.")] = 0,
) -> None:
    """Solve a Curtois shift-scheduling instance and print the objective the solution has."""
    loaded = read_instance(instance)
    with _err.status(f"solving {loaded.name}") as status:

        def progress(seconds: float, objective: int) -> None:
            status.update(f"solving {loaded.name}: {seconds:.1f} s, objective {objective}")

        result = solve_instance(
            loaded, time_limit=time_limit, workers=workers, seed=seed, progress=progress
        )
    if result.violations:
        raise InfeasibleError(
            f"{loaded.name}: the solver returned a roster breaking hard rules: "
            + "; ".join(result.violations[:5])
        )
    write_solution(out, result.assignments)
    proved = (
        "no proved bound"
        if result.bound is None or result.gap is None
        else f"proved bound {result.bound} (gap {100 * result.gap:.1f} %)"
    )
    _err.print(
        f"{loaded.name}: {len(result.assignments)} assignments, method {result.method}, "
        f"{result.neighbourhoods} neighbourhoods, {result.seconds:.1f} s, {proved} -> {out}"
    )
    typer.echo(f"objective {result.objective}")


ScenarioOption = Annotated[
    str, typer.Option(help="A built-in scenario (qatar2022) or a scenario directory.")
]
RulesOption = Annotated[
    Path | None, typer.Option(help="YAML file overriding the default staffing rules.")
]
WorkforceOption = Annotated[
    Path | None,
    typer.Option(
        help="Workforce CSV (see docs/deployment.md); default: the NAME-workforce.csv that "
        "plan --generate wrote beside the roster NAME.csv.",
        show_default=False,
    ),
]
MatchesOption = Annotated[
    str | None, typer.Option(help="Only these matches, comma-separated (e.g. M01,M02).")
]


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_err,
        transient=True,
    ) as bar:
        yield bar


def _inputs(
    scenario: str, rules_file: Path | None, matches: str | None
) -> tuple[Scenario, DemandRules, list[Post]]:
    loaded = load_scenario(scenario)
    rules = load_rules(rules_file)
    chosen = tuple(m.strip() for m in matches.split(",") if m.strip()) if matches else None
    return loaded, rules, list(build_demand(loaded, rules, matches=chosen))


def _coordinates(scenario: Scenario) -> dict[str, tuple[float, float]]:
    return {v.id: (v.lat, v.lon) for v in scenario.venues}


def _shortfall_problems(shortfalls: list[Shortfall] | tuple[Shortfall, ...]) -> list[Problem]:
    return [
        Problem(
            f"{s.post_id} at {s.venue_id} {s.start:%Y-%m-%d %H:%M}-{s.end:%H:%M}: "
            f"{s.missing} of {s.required} missing; {s.reason}"
        )
        for s in shortfalls[:10]
    ]


@app.command()
def demand(
    scenario: ScenarioOption = "qatar2022",
    rules: RulesOption = None,
    matches: MatchesOption = None,
    out: Annotated[Path | None, typer.Option(help="Write the posts to this CSV.")] = None,
) -> None:
    """Staffing demand: posts per venue and match window, with head-counts and requirements."""
    _, _, posts = _inputs(scenario, rules, matches)
    Console().print(demand_table(posts))
    if out is not None:
        with (
            Outputs([out]) as outputs,
            outputs.stage(out).open("w", encoding="utf-8", newline="") as handle,
        ):
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(
                (
                    "post_id",
                    "kind",
                    "match_id",
                    "venue_id",
                    "start",
                    "end",
                    "required",
                    "skill",
                    "zone",
                    "min_clearance",
                    "languages",
                    "joint_team",
                )
            )
            for p in posts:
                writer.writerow(
                    (
                        p.id,
                        p.kind.value,
                        p.match_id,
                        p.venue_id,
                        p.start.isoformat(),
                        p.end.isoformat(),
                        p.required,
                        p.skill,
                        p.zone,
                        p.min_clearance,
                        "|".join(sorted(p.languages)),
                        str(p.joint_team).lower(),
                    )
                )
        _err.print(f"{len(posts)} posts -> {out}")


def _workforce(
    scenario: Scenario,
    workforce: Path | None,
    generate: int | None,
    partners: int | None,
    seed: int,
    workforce_out: Path | None,
    outputs: Outputs,
) -> tuple[Officer, ...]:
    if (workforce is None) == (generate is None):
        raise InvalidInputError("give exactly one of --workforce FILE or --generate N")
    if workforce is not None:
        return read_workforce(workforce)
    assert generate is not None
    share = partners if partners is not None else generate // 4
    officers = generate_workforce(scenario, officers=generate, partners=share, seed=seed)
    if workforce_out is not None:
        write_workforce(outputs.stage(workforce_out), officers)
        _err.print(f"{len(officers)} generated officers -> {workforce_out}")
    return officers


@app.command()
def plan(
    out: Annotated[Path, typer.Option(help="Roster CSV to write.")],
    scenario: ScenarioOption = "qatar2022",
    workforce: Annotated[Path | None, typer.Option(help="Workforce CSV to read.")] = None,
    generate: Annotated[
        int | None, typer.Option(min=1, help="Generate a synthetic workforce of N officers.")
    ] = None,
    partners: Annotated[
        int | None, typer.Option(min=0, help="Partner officers among the generated (N/4).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the generated workforce.")] = 0,
    workforce_out: Annotated[
        Path | None, typer.Option(help="Where to write a generated workforce (for check).")
    ] = None,
    rules: RulesOption = None,
    matches: MatchesOption = None,
    chart: Annotated[Path | None, typer.Option(help="PNG chart of cover against demand.")] = None,
    allow_gaps: Annotated[
        bool, typer.Option(help="Write the roster even when some posts stay short.")
    ] = False,
    time_limit_per_pool: Annotated[float, typer.Option(min=0.1)] = 10.0,
    workers: Annotated[int, typer.Option(min=1, max=8)] = 2,
) -> None:
    """Plan the tournament roster and write it (officer_id,agency,post_id,venue_id,start,end).

    Every file of the run is put in place together at its end; a previous run's files that this
    run does not write (its shortfalls, its generated workforce) are removed.
    """
    loaded, demand_rules, posts = _inputs(scenario, rules, matches)
    beside = workforce_beside(out)
    if generate is not None and workforce_out is None:
        workforce_out = beside
    report = out.with_name(out.stem + "-shortfalls.csv")
    family = [out, report]
    if workforce is None or workforce.resolve() != beside.resolve():
        family.append(beside)  # an earlier run's generated workforce, unless it is the input
    with Outputs(family) as outputs:
        officers = _workforce(loaded, workforce, generate, partners, seed, workforce_out, outputs)
        with _progress("planning") as bar:
            task = bar.add_task("solving pools", total=None)
            result = plan_roster(
                posts,
                officers,
                joint=demand_rules.joint_team,
                coordinates=_coordinates(loaded),
                time_limit_per_pool=time_limit_per_pool,
                workers=workers,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        if result.shortfalls and not allow_gaps:
            # A failed run: its report is written, every other file stays as it was.
            write_shortfalls(report, result.shortfalls)
            earlier = f"; {out} is still an earlier run's roster" if out.exists() else ""
            raise InfeasibleError(
                f"{len(result.shortfalls)} posts cannot be fully covered (all listed in {report}); "
                f"no roster written (use --allow-gaps to write it anyway){earlier}:\n"
                + "\n".join(f"  - {p}" for p in _shortfall_problems(result.shortfalls))
            )
        if result.shortfalls:
            write_shortfalls(outputs.stage(report), result.shortfalls)
        write_roster(outputs.stage(out), result.assignments)
        if chart is not None:
            cover_chart(outputs.stage(chart), posts, result.assignments)
    console = Console()
    if result.shortfalls:
        _err.print(f"[yellow]{len(result.shortfalls)} posts stay short: see {report}[/]")
    print_tables(console, roster_tables(posts, result.assignments, officers))
    terms = ", ".join(f"{k} {v:,.1f}" for k, v in result.terms.items())
    console.print(
        f"objective {result.objective:,.1f} (bound {result.bound:,.1f}, gap {result.gap:.2%}); "
        f"terms: {terms}; {result.subproblems} pools in {result.seconds:.1f} s"
    )
    if chart is not None:
        _err.print(f"chart -> {chart}")
    _err.print(f"{len(result.assignments)} assignments -> {out}")


def workforce_beside(roster: Path) -> Path:
    """The workforce file ``plan --generate`` writes beside ``roster`` (``NAME-workforce.csv``)."""
    return roster.with_name(roster.stem + "-workforce.csv")


def _workforce_of(roster: Path, workforce: Path | None) -> Path:
    """The workforce file given, or else the one ``plan`` wrote beside the roster if it is there."""
    if workforce is not None:
        return workforce
    beside = workforce_beside(roster)
    if not beside.is_file():
        raise InvalidInputError(
            f"no --workforce given and {beside} (the workforce that roster plan --generate "
            f"writes beside {roster.name}) does not exist: give --workforce FILE"
        )
    return beside


@app.command()
def check(
    roster: Annotated[Path, typer.Argument(help="Roster CSV to check.")],
    workforce: WorkforceOption = None,
    scenario: ScenarioOption = "qatar2022",
    rules: RulesOption = None,
    matches: MatchesOption = None,
) -> None:
    """Check every hard rule of a roster; exit code 2 and the list of violations if any."""
    assignments = read_roster(roster)
    officers = read_workforce(_workforce_of(roster, workforce))
    _, demand_rules, posts = _inputs(scenario, rules, matches)
    result = check_roster(
        assignments, posts, officers, rules=RosterRules(), joint=demand_rules.joint_team
    )
    if not result.valid:
        counts = ", ".join(f"{rule} {n}" for rule, n in sorted(result.by_rule().items()))
        raise InvalidInputError(
            f"{roster}: {len(result.violations)} hard-rule violations ({counts})",
            [Problem(v.message, file=str(roster), field=v.rule) for v in result.violations[:50]],
        )
    typer.echo(
        f"{roster}: valid: {result.assignments} assignments, no hard-rule violation; "
        f"cover {result.required - result.missing}/{result.required} officer-shifts "
        f"({result.missing} missing)"
    )


@app.command()
def repair(
    roster: Annotated[Path, typer.Argument(help="The published roster CSV.")],
    dropouts: Annotated[Path, typer.Option(help="CSV officer_id,from (ISO 8601 time).")],
    out: Annotated[Path, typer.Option(help="Repaired roster CSV to write.")],
    workforce: WorkforceOption = None,
    scenario: ScenarioOption = "qatar2022",
    rules: RulesOption = None,
    matches: MatchesOption = None,
    time_limit_per_pool: Annotated[float, typer.Option(min=0.1)] = 10.0,
    workers: Annotated[int, typer.Option(min=1, max=8)] = 2,
) -> None:
    """Replace drop-outs from their time on, changing nobody else's assignments."""
    published = read_roster(roster)
    officers = read_workforce(_workforce_of(roster, workforce))
    loaded, demand_rules, posts = _inputs(scenario, rules, matches)
    gone = read_dropouts(dropouts)
    with _progress("repairing") as bar:
        task = bar.add_task("re-staffing posts", total=None)
        result = repair_roster(
            published,
            gone,
            posts,
            officers,
            joint=demand_rules.joint_team,
            coordinates=_coordinates(loaded),
            time_limit_per_pool=time_limit_per_pool,
            workers=workers,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    changes = out.with_name(out.stem + "-changes.csv")
    report = out.with_name(out.stem + "-shortfalls.csv")
    with Outputs([out, changes, report]) as outputs:
        write_roster(outputs.stage(out), result.roster)
        _write_changes(outputs.stage(changes), result)
        if result.shortfalls:
            write_shortfalls(outputs.stage(report), result.shortfalls)
    typer.echo(
        f"{len(gone)} drop-outs: {len(result.removed)} assignments removed, "
        f"{len(result.added)} replacements, {result.changed_others} other assignments changed, "
        f"{len(result.shortfalls)} posts still short; {result.seconds:.1f} s -> {out} "
        f"(changes in {changes})"
    )
    for p in _shortfall_problems(result.shortfalls):
        _err.print(f"[yellow]short:[/] {p}")


def _write_changes(path: Path, result: RepairResult) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("change", "officer_id", "post_id", "start", "end"))
        for a in result.removed:
            writer.writerow(
                ("removed", a.officer_id, a.post_id, a.start.isoformat(), a.end.isoformat())
            )
        for a in result.added:
            writer.writerow(
                ("added", a.officer_id, a.post_id, a.start.isoformat(), a.end.isoformat())
            )
