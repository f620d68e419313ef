"""``opsroom crowd``: forecast, plan, whole days, nowcasts and the venue network format."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opsroom.crowd.alerts import alerts_for
from opsroom.crowd.builder import build_venue_network
from opsroom.crowd.cli_events import calibrate, micro, replay
from opsroom.crowd.demand import DEFAULT_PROFILE, ArrivalProfile
from opsroom.crowd.forecast import Forecast, forecast_match, forecast_matches
from opsroom.crowd.inputs import (
    MatchInput,
    day_matches,
    file_match,
    load_profile,
    load_profile_from_counts,
    parse_servers,
    parse_shut,
    parse_surge,
    parse_time,
    read_counts,
    scenario_match,
)
from opsroom.crowd.network import dump_network, network_schema
from opsroom.crowd.nowcast import nowcast as run_nowcast
from opsroom.crowd.planner import plan_venue
from opsroom.crowd.report import forecast_document, write_charts
from opsroom.crowd.stochastic import simulate
from opsroom.errors import InvalidInputError, Problem
from opsroom.scenario import load_scenario

app = typer.Typer(
    help="Crowd flow: forecast queues and waits, size gates, nowcast from gate counts.",
    no_args_is_help=True,
)

ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", help="Built-in scenario (qatar2022) or a directory.")
]
MatchOpt = Annotated[str | None, typer.Option("--match", help="Match id, e.g. M01.")]
VenueOpt = Annotated[Path | None, typer.Option("--venue", help="A venue network YAML file.")]
KickoffOpt = Annotated[
    str | None, typer.Option("--kickoff", help="With --venue: ISO time with offset.")
]
AttendanceOpt = Annotated[int | None, typer.Option("--attendance", help="Fans expected.")]
ProfileOpt = Annotated[
    Path | None,
    typer.Option("--profile", help="Arrival profile YAML, or past counts CSV@KICKOFF to fit one."),
]
SurgeOpt = Annotated[list[str] | None, typer.Option("--surge", help="N@START:END[@ORIGIN].")]
ShutOpt = Annotated[list[str] | None, typer.Option("--shut", help="CHECKPOINT[@START:END].")]
CloseOpt = Annotated[list[str] | None, typer.Option("--close-origin", help="Origin id.")]
ServersOpt = Annotated[list[str] | None, typer.Option("--servers", help="CHECKPOINT=N.")]
StepOpt = Annotated[float, typer.Option("--step", help="Time step in seconds (<= 10).")]


def _profile(profile: Path | None) -> ArrivalProfile:
    """``--profile``: a YAML profile, or ``counts.csv@KICKOFF`` to fit one to a past match."""
    if profile is None:
        return DEFAULT_PROFILE
    text = str(profile)
    if ".csv@" in text:
        path, when = text.split(".csv@", 1)
        return load_profile_from_counts(Path(path + ".csv"), when)
    return load_profile(profile)


def _input(
    scenario: str | None,
    match: str | None,
    venue: Path | None,
    kickoff: str | None,
    attendance: int | None,
    profile: Path | None,
    surge: list[str] | None,
    shut: list[str] | None,
    close_origin: list[str] | None,
    servers: list[str] | None,
) -> MatchInput:
    options: dict[str, Any] = {
        "profile": _profile(profile),
        "surges": tuple(parse_surge(s) for s in surge or []),
        "closures": tuple(parse_shut(s) for s in shut or []),
        "closed_origins": tuple(close_origin or []),
        "servers": parse_servers(servers or []),
    }
    if venue is not None:
        return file_match(venue, kickoff=kickoff, attendance=attendance, **options)
    if scenario is None or match is None:
        raise InvalidInputError(
            "say which match",
            [Problem("give --scenario and --match, or --venue and --kickoff", field="match")],
        )
    return scenario_match(load_scenario(scenario), match, attendance=attendance, **options)


def _summary(forecast: Forecast, console: Console, *, title: str) -> None:
    table = Table(title=title)
    for column in (
        "checkpoint",
        "capacity /h",
        "max queue",
        "max wait (min)",
        "at",
        "space needed (m²)",
        "m²/person",
        "LOS",
    ):
        table.add_column(column, justify="left" if column == "checkpoint" else "right")
    for peak in forecast.peaks:
        if peak.kind.startswith("link") and peak.max_queue < 1:
            continue
        table.add_row(
            peak.label,
            f"{peak.capacity_per_h:,.0f}",
            f"{peak.max_queue:,.0f}",
            f"{peak.max_wait_min:.1f}",
            peak.max_wait_at.strftime("%H:%M") if peak.max_wait_min > 0 else "-",
            f"{peak.space_needed_m2:,.0f}",
            f"{peak.min_space_m2_per_person:.2f}" if peak.min_space_m2_per_person else "-",
            peak.los,
        )
    console.print(table)
    if forecast.egress is not None:
        e = forecast.egress
        worst = max(s.stands_clear_min for s in e.sectors)
        ok = "meets" if all(s.meets_8_minutes for s in e.sectors) else "FAILS"
        platform = (
            f", metro platform clear in {e.platform_clear_min:.0f} min"
            if e.platform_clear_min is not None
            else ""
        )
        console.print(
            f"Egress from {e.starts_at:%H:%M}: stands clear in {worst:.1f} min ({ok} the "
            f"8-minute rule), gates in {e.gates_clear_min:.1f} min{platform}, "
            f"everyone away in {e.all_clear_min:.0f} min"
        )
    for alert in alerts_for(forecast, as_of=forecast.start):
        style = "bold red" if alert.severity == "critical" else "yellow"
        console.print(f"[{style}]{alert.severity}[/]: {alert.message}", highlight=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a venue network file."""
    typer.echo(json.dumps(network_schema(), indent=2, ensure_ascii=False))


@app.command()
def network(
    venue_id: Annotated[str, typer.Argument(help="Venue id, e.g. lusail.")],
    scenario: Annotated[str, typer.Option("--scenario")] = "qatar2022",
) -> None:
    """Print the venue network built for a scenario's venue, as YAML to edit and reuse."""
    typer.echo(dump_network(build_venue_network(load_scenario(scenario), venue_id)))


@app.command()
def forecast(
    scenario: ScenarioOpt = None,
    match: MatchOpt = None,
    venue: VenueOpt = None,
    kickoff: KickoffOpt = None,
    attendance: AttendanceOpt = None,
    profile: ProfileOpt = None,
    surge: SurgeOpt = None,
    shut: ShutOpt = None,
    close_origin: CloseOpt = None,
    servers: ServersOpt = None,
    step: StepOpt = 10.0,
    out: Annotated[Path, typer.Option("--out", help="Folder for forecast.json and charts.")] = Path(
        "crowd-forecast"
    ),
    spread: Annotated[
        int, typer.Option("--spread", help="Stochastic replications for the spread (0: none).")
    ] = 0,
) -> None:
    """Forecast one match: queues, waits, space, LOS, sector fill, egress; JSON and PNG charts."""
    item = _input(
        scenario, match, venue, kickoff, attendance, profile, surge, shut, close_origin, servers
    )
    result = forecast_match(item.network, item.demand, match_id=item.match_id, step_s=step)
    console = Console()
    _summary(
        result,
        console,
        title=f"{item.network.venue.name} {item.match_id or ''} "
        f"kick-off {item.demand.kickoff:%Y-%m-%d %H:%M}, {item.demand.attendance:,} fans "
        f"({item.attendance_source})",
    )
    out.mkdir(parents=True, exist_ok=True)
    document = forecast_document(result, item.network)
    document["attendance_source"] = item.attendance_source
    if spread > 0:
        document["spread"] = _spread(item, spread, console)
    (out / "forecast.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    charts = write_charts(result, out)
    console.print(f"wrote {out / 'forecast.json'}, " + ", ".join(str(c) for c in charts))


def _spread(item: MatchInput, replications: int, console: Console) -> dict[str, Any]:
    """Discrete-event replications: 10th, 50th and 90th percentile of each station's peaks."""
    result = simulate(item.network, item.demand, replications=replications)
    spread: dict[str, Any] = {"replications": replications, "stations": {}}
    for what, key in (("queue", "max_queue_p10_p50_p90"), ("wait", "max_wait_min_p10_p50_p90")):
        low = result.percentile(what, 10)
        mid = result.percentile(what, 50)
        high = result.percentile(what, 90)
        for sid in result.station_ids:
            spread["stations"].setdefault(sid, {})[key] = [
                round(low[sid], 1),
                round(mid[sid], 1),
                round(high[sid], 1),
            ]
    waits = result.percentile("wait", 90)
    worst = max(waits, key=lambda sid: waits[sid])
    console.print(
        f"stochastic spread ({replications} replications): longest wait at {worst}: "
        f"{result.percentile('wait', 10)[worst]:.1f}-{waits[worst]:.1f} min (10th-90th percentile)"
    )
    return spread


@app.command()
def plan(
    scenario: ScenarioOpt = None,
    match: MatchOpt = None,
    venue: VenueOpt = None,
    kickoff: KickoffOpt = None,
    attendance: AttendanceOpt = None,
    profile: ProfileOpt = None,
    surge: SurgeOpt = None,
    shut: ShutOpt = None,
    close_origin: CloseOpt = None,
    servers: ServersOpt = None,
    step: StepOpt = 10.0,
    target: Annotated[float, typer.Option("--target", help="Longest wait allowed, min.")] = 15.0,
    out: Annotated[Path | None, typer.Option("--out", help="Write plan.json here.")] = None,
) -> None:
    """Fewest lanes and turnstiles (and staff) for the wait target; bottlenecks; egress check."""
    item = _input(
        scenario, match, venue, kickoff, attendance, profile, surge, shut, close_origin, servers
    )
    result = plan_venue(item.network, item.demand, target_wait_min=target, step_s=step)
    table = Table(title=f"{item.network.venue.name}: plan for a longest wait of {target:g} min")
    for column in ("checkpoint", "now", "needed", "staff", "wait now", "wait planned", "rule"):
        table.add_column(column)
    for c in result.checkpoints:
        table.add_row(
            c.name,
            str(c.servers_now),
            str(c.servers_needed),
            str(c.staff_needed),
            f"{c.max_wait_min_now:.1f}",
            f"{c.max_wait_min_planned:.1f}",
            c.rule,
        )
    console = Console()
    console.print(table)
    console.print(
        f"staff needed at the checkpoints: {result.staff_needed:,}; egress "
        f"{'meets' if result.egress_ok else 'FAILS'} the 8-minute rule"
    )
    for rank, b in enumerate(result.bottlenecks, start=1):
        console.print(f"{rank}. {b.label} ({b.phase}): {b.reason}", highlight=False)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        document = {
            "venue_id": result.venue_id,
            "target_wait_min": target,
            "staff_needed": result.staff_needed,
            "egress_ok": result.egress_ok,
            "checkpoints": [vars(c) for c in result.checkpoints],
            "bottlenecks": [vars(b) for b in result.bottlenecks],
        }
        (out / "plan.json").write_text(json.dumps(document, indent=2), encoding="utf-8")


@app.command()
def day(
    scenario: Annotated[str, typer.Option("--scenario")] = "qatar2022",
    on: Annotated[str, typer.Option("--date", help="Local date, e.g. 2022-11-26.")] = "",
    step: StepOpt = 10.0,
    out: Annotated[Path | None, typer.Option("--out", help="Write day.json here.")] = None,
) -> None:
    """Forecast every match of a day at every venue, in one run."""
    try:
        when = date.fromisoformat(on)
    except ValueError:
        raise InvalidInputError(
            "bad --date", [Problem(f"{on!r} is not YYYY-MM-DD", field="date")]
        ) from None
    items = day_matches(scenario, when)
    began = time.perf_counter()
    results = forecast_matches([(i.network, i.demand, i.match_id) for i in items], step_s=step)
    elapsed = time.perf_counter() - began
    table = Table(title=f"{scenario} {when.isoformat()}: {len(results)} matches")
    for column in (
        "match",
        "venue",
        "kick-off",
        "fans",
        "worst checkpoint",
        "max wait (min)",
        "alerts",
        "stands out (min)",
        "all away (min)",
    ):
        table.add_column(column)
    documents = []
    for item, result in zip(items, results, strict=True):
        checkpoints = [p for p in result.peaks if not p.kind.startswith("link")]
        worst = max(checkpoints or result.peaks, key=lambda p: p.max_wait_min)
        alerts = alerts_for(result, as_of=result.start)
        egress = result.egress
        assert egress is not None
        table.add_row(
            item.match_id or "",
            item.network.venue.name,
            f"{result.kickoff:%H:%M}",
            f"{item.demand.attendance:,}",
            worst.label,
            f"{worst.max_wait_min:.1f}",
            str(len(alerts)),
            f"{max(s.stands_clear_min for s in egress.sectors):.1f}",
            f"{egress.all_clear_min:.0f}",
        )
        documents.append(forecast_document(result, item.network))
    console = Console()
    console.print(table)
    stations = results[0].run.graph.size if results else 0
    console.print(
        f"{stations} stations, {len(results[0].run.times_s) if results else 0} time "
        f"steps of {step:g} s, forecast with egress in {elapsed * 1000:.0f} ms"
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "day.json").write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")


@app.command()
def nowcast(
    counts: Annotated[Path, typer.Option("--counts", help="CSV checkpoint_id,start,end,count.")],
    as_of: Annotated[str, typer.Option("--as-of", help="ISO time with offset.")],
    scenario: ScenarioOpt = None,
    match: MatchOpt = None,
    venue: VenueOpt = None,
    kickoff: KickoffOpt = None,
    attendance: AttendanceOpt = None,
) -> None:
    """Re-estimate arrivals and service rates from gate counts; print the re-forecast as JSON."""
    item = _input(scenario, match, venue, kickoff, attendance, None, None, None, None, None)
    result = run_nowcast(
        item.network, item.demand, read_counts(counts), as_of=parse_time(as_of, field="as_of")
    )
    typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))


app.command()(replay)
app.command()(micro)
app.command()(calibrate)
