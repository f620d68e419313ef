"""Turn command-line inputs into networks and demands: scenario matches, venue files, what-ifs.

What-if syntax (minutes are relative to kick-off):

- ``--surge 5000@-60:-30`` (or ``5000@-60:-30@origin-id``): extra fans arriving in that window;
- ``--shut gate-id`` (whole match; fans re-route) or ``--shut gate-id@-45:-15`` (a window);
- ``--close-origin origin-id``: a line closed, its fans use the other origins;
- ``--servers checkpoint-id=N``: lanes or turnstiles open.

Gate counts for a nowcast are a CSV with ``checkpoint_id,start,end,count`` (ISO 8601 times with
their UTC offset).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from opsroom.crowd.builder import build_venue_network
from opsroom.crowd.demand import (
    DEFAULT_PROFILE,
    ArrivalProfile,
    Closure,
    Demand,
    Surge,
    profile_from_counts,
)
from opsroom.crowd.network import VenueNetwork, load_network
from opsroom.crowd.nowcast import GateCount
from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.files import read_csv, read_yaml
from opsroom.scenario import Scenario, load_scenario


@dataclass(frozen=True, kw_only=True)
class MatchInput:
    network: VenueNetwork
    demand: Demand
    match_id: str | None
    attendance_source: str


def parse_time(text: str, *, field: str, file: str | None = None) -> datetime:
    """An ISO 8601 time that must carry its UTC offset."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            "not an ISO 8601 time", [Problem(f"cannot read {text!r}", file=file, field=field)]
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInputError(
            "time without a time zone",
            [Problem(f"{text!r} needs a UTC offset, e.g. +03:00", file=file, field=field)],
        )
    return moment


def _window(text: str, field: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in text.split(":"))
    except ValueError:
        raise InvalidInputError(
            "bad time window", [Problem(f"{text!r} is not START:END in minutes", field=field)]
        ) from None
    return start, end


def parse_surge(text: str) -> Surge:
    parts = text.split("@")
    if len(parts) not in (2, 3):
        raise InvalidInputError("bad surge", [Problem(f"{text!r}: use N@START:END", field="surge")])
    try:
        persons = float(parts[0])
    except ValueError:
        raise InvalidInputError(
            "bad surge", [Problem(f"{parts[0]!r} is not a number", field="surge")]
        ) from None
    start, end = _window(parts[1], "surge")
    return Surge(
        persons=persons,
        start_min=start,
        end_min=end,
        origin_id=parts[2] if len(parts) == 3 else None,
    )


def parse_shut(text: str) -> Closure:
    if "@" not in text:
        return Closure(checkpoint_id=text)
    checkpoint_id, window = text.split("@", 1)
    start, end = _window(window, "shut")
    return Closure(checkpoint_id=checkpoint_id, start_min=start, end_min=end)


def parse_servers(items: Sequence[str]) -> dict[str, int]:
    servers = {}
    for item in items:
        key, _, value = item.partition("=")
        if not value.isdigit():
            raise InvalidInputError(
                "bad --servers", [Problem(f"{item!r}: use CHECKPOINT=N", field="servers")]
            )
        servers[key] = int(value)
    return servers


def load_profile(path: Path) -> ArrivalProfile:
    """A YAML profile: ``start_min``, ``bin_min``, ``percent`` (list) and ``source``."""
    data = read_yaml(path, what="arrival profile")
    try:
        return ArrivalProfile.from_percent(
            start_min=float(data["start_min"]),
            bin_min=float(data["bin_min"]),
            percent=tuple(float(p) for p in data["percent"]),
            source=str(data["source"]),
        )
    except InvalidInputError as exc:
        raise InvalidInputError(
            f"{path}: arrival profile is not valid",
            [Problem(p.message, file=str(path), field=p.field) for p in exc.problems],
        ) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"{path}: arrival profile is not valid",
            [Problem(f"needs start_min, bin_min, percent, source ({exc})", file=str(path))],
        ) from None


def scenario_match(
    scenario: Scenario,
    match_id: str,
    *,
    attendance: int | None = None,
    profile: ArrivalProfile = DEFAULT_PROFILE,
    surges: tuple[Surge, ...] = (),
    closures: tuple[Closure, ...] = (),
    closed_origins: tuple[str, ...] = (),
    servers: dict[str, int] | None = None,
) -> MatchInput:
    """A scenario match; attendance is the published figure, else the venue's capacity."""
    match = scenario.match(match_id)
    venue = scenario.venue(match.venue_id)
    network = build_venue_network(scenario, venue.id)
    if servers:
        network = network.with_servers(servers)
    if attendance is not None:
        people, source = attendance, "user"
    elif match.attendance is not None:
        people, source = match.attendance, match.attendance_source or "published"
    else:
        people, source = venue.capacity, f"venue capacity ({venue.capacity_source})"
    demand = Demand(
        attendance=people,
        kickoff=match.kickoff,
        profile=profile,
        surges=surges,
        closures=closures,
        closed_origins=closed_origins,
    )
    return MatchInput(network=network, demand=demand, match_id=match.id, attendance_source=source)


def file_match(
    path: Path,
    *,
    kickoff: str | None,
    attendance: int | None,
    profile: ArrivalProfile = DEFAULT_PROFILE,
    surges: tuple[Surge, ...] = (),
    closures: tuple[Closure, ...] = (),
    closed_origins: tuple[str, ...] = (),
    servers: dict[str, int] | None = None,
) -> MatchInput:
    """A user's venue file with a kick-off time (with its UTC offset)."""
    network = load_network(path)
    if servers:
        network = network.with_servers(servers)
    if kickoff is None:
        raise InvalidInputError(
            "--venue needs --kickoff",
            [Problem("give e.g. 2022-11-20T19:00+03:00", field="kickoff")],
        )
    moment = parse_time(kickoff, field="kickoff")
    people = attendance if attendance is not None else network.venue.capacity
    demand = Demand(
        attendance=people,
        kickoff=moment,
        profile=profile,
        surges=surges,
        closures=closures,
        closed_origins=closed_origins,
    )
    return MatchInput(
        network=network,
        demand=demand,
        match_id=None,
        attendance_source="user" if attendance is not None else "venue capacity",
    )


def day_matches(scenario_name: str, day: date) -> list[MatchInput]:
    scenario = load_scenario(scenario_name)
    matches = scenario.matches_on(day)
    if not matches:
        raise NotFoundError(f"no match on {day.isoformat()} in scenario {scenario_name!r}")
    return [scenario_match(scenario, m.id) for m in matches]


def read_counts(path: Path) -> list[GateCount]:
    """Gate counts from a CSV ``checkpoint_id,start,end,count``; errors name file, row, field."""
    header, rows = read_csv(path, what="gate counts file")
    counts: list[GateCount] = []
    problems: list[Problem] = []
    missing = {"checkpoint_id", "start", "end", "count"} - set(header)
    if missing:
        raise InvalidInputError(
            f"{path}: missing columns",
            [Problem(f"missing column {m!r}", file=str(path), field=m) for m in sorted(missing)],
        )
    for number, row in rows:
        try:
            counts.append(
                GateCount(
                    checkpoint_id=row["checkpoint_id"].strip(),
                    start=parse_time(row["start"], field="start", file=str(path)),
                    end=parse_time(row["end"], field="end", file=str(path)),
                    count=float(row["count"]),
                )
            )
        except InvalidInputError as exc:
            problems.extend(
                Problem(p.message, file=str(path), row=number, field=p.field) for p in exc.problems
            )
        except ValueError:
            problems.append(
                Problem("count is not a number", file=str(path), row=number, field="count")
            )
    if problems:
        raise InvalidInputError(f"{path}: gate counts are not valid", problems)
    return counts


def load_profile_from_counts(path: Path, past_kickoff: str | None) -> ArrivalProfile:
    """A profile fitted to a past match's gate counts (the nowcast CSV format, all checkpoints
    summed), relative to that match's kick-off."""
    if past_kickoff is None:
        raise InvalidInputError(
            "--profile-counts needs --profile-kickoff",
            [Problem("give the past match's kick-off with its UTC offset", field="kickoff")],
        )
    moment = parse_time(past_kickoff, field="profile-kickoff")
    counts = read_counts(path)
    return profile_from_counts(
        [(c.start, c.end, c.count) for c in counts],
        kickoff=moment,
        source=f"fitted to the gate counts in {path.name} (kick-off {moment.isoformat()})",
    )
