"""The tournament model: the frozen types every other part of opsroom reads.

A scenario is a set of flat tables (agencies, teams, venues, gates, sectors, transport nodes,
walking links, matches) that refer to one another by id. The same models validate user files
(YAML or CSV, see ``docs/scenario.md``) and give the JSON Schema that ``opsroom scenario schema``
prints.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        description="Stable identifier: letters, digits, '_', '.', '-'.",
    ),
]
Source = Annotated[
    str,
    Field(
        min_length=1,
        description="Where the figure comes from. Values starting with 'default:' are reasoned "
        "defaults, not published figures, and say how they were reasoned.",
    ),
]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class AgencyKind(StrEnum):
    HOST = "host"
    PARTNER = "partner"


class Stage(StrEnum):
    GROUP = "group"
    ROUND_OF_16 = "round_of_16"
    QUARTER_FINAL = "quarter_final"
    SEMI_FINAL = "semi_final"
    THIRD_PLACE = "third_place"
    FINAL = "final"


class TransportKind(StrEnum):
    METRO = "metro"
    BUS = "bus"
    CAR_PARK = "car_park"
    FAN_ZONE = "fan_zone"
    TAXI = "taxi"


class LinkKind(StrEnum):
    LEVEL = "level"
    RAMP = "ramp"
    STAIRS = "stairs"


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown IANA time zone {value!r} (e.g. 'Asia/Qatar')") from exc
    return value


class ScenarioInfo(_Row):
    """The scenario as a whole (``scenario.yaml``)."""

    id: Identifier
    name: str = Field(min_length=1)
    timezone: str = Field(description="IANA time zone of the host country, e.g. 'Asia/Qatar'.")
    start_date: date
    end_date: date
    description: str = ""

    _tz = field_validator("timezone")(_check_timezone)


class Agency(_Row):
    """A security service taking part: the host's or a partner's."""

    id: Identifier = Field(examples=["QA-MOI", "MA-DGSN"])
    name: str = Field(min_length=1)
    country: str = Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2.")
    kind: AgencyKind


class Team(_Row):
    """A participating team; ``id`` is its FIFA code."""

    id: Identifier = Field(examples=["QAT"])
    name: str = Field(min_length=1)
    group: str | None = None


class Venue(_Row):
    """A stadium (or another secured site) with its official capacity and position."""

    id: Identifier
    name: str = Field(min_length=1)
    city: str = Field(min_length=1)
    capacity: int = Field(gt=0, description="Spectator capacity.")
    capacity_source: Source
    lat: float = Field(ge=-90, le=90, description="Latitude, WGS 84 degrees.")
    lon: float = Field(ge=-180, le=180, description="Longitude, WGS 84 degrees.")
    timezone: str = Field(description="IANA time zone of the venue.")

    _tz = field_validator("timezone")(_check_timezone)


class Gate(_Row):
    """An entry point of a venue: perimeter screening lanes, then a bank of turnstiles."""

    id: Identifier
    venue_id: Identifier
    name: str = Field(min_length=1)
    screening_lanes: int = Field(gt=0, description="Walk-through metal detector lanes.")
    turnstiles: int = Field(gt=0, description="Ticket/ID-checking turnstiles.")
    source: Source


class Sector(_Row):
    """A part of the stands, entered through one gate."""

    id: Identifier
    venue_id: Identifier
    gate_id: Identifier
    name: str = Field(min_length=1)
    capacity: int = Field(gt=0, description="Seats.")
    source: Source


class TransportNode(_Row):
    """Where fans arrive and leave: a metro station, a bus hub, a car park, a fan zone."""

    id: Identifier
    venue_id: Identifier
    name: str = Field(min_length=1)
    kind: TransportKind
    arrival_share: float = Field(
        ge=0, le=1, description="Share of the venue's spectators arriving here (0-1)."
    )
    source: Source


class WalkingLink(_Row):
    """A walking route from a transport node to a gate."""

    id: Identifier
    origin_id: Identifier = Field(description="A transport node id.")
    gate_id: Identifier
    length_m: float = Field(gt=0, description="Walking length in metres.")
    width_m: float = Field(gt=0, description="Narrowest clear width in metres.")
    kind: LinkKind = LinkKind.LEVEL
    source: Source


class Match(_Row):
    """A match: where, when (with the venue's UTC offset), who, and its attendance if published."""

    id: Identifier
    kickoff: datetime = Field(
        description="ISO 8601 local kick-off with its UTC offset, e.g. 2022-11-20T19:00:00+03:00."
    )
    venue_id: Identifier
    stage: Stage
    group: str | None = None
    home: Identifier | None = Field(default=None, description="Team id; empty if not yet known.")
    away: Identifier | None = Field(default=None, description="Team id; empty if not yet known.")
    attendance: int | None = Field(default=None, gt=0, description="Only a published figure.")
    attendance_source: str | None = None

    @field_validator("kickoff")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("kick-off time needs a UTC offset, e.g. 2022-11-20T19:00:00+03:00")
        return value


class ScenarioDocument(_Row):
    """Every table of a scenario at once: what ``opsroom scenario schema`` describes."""

    scenario: ScenarioInfo
    agencies: tuple[Agency, ...] = ()
    teams: tuple[Team, ...] = ()
    venues: tuple[Venue, ...]
    gates: tuple[Gate, ...] = ()
    sectors: tuple[Sector, ...] = ()
    transport: tuple[TransportNode, ...] = ()
    links: tuple[WalkingLink, ...] = ()
    matches: tuple[Match, ...] = ()


TABLES: dict[str, type[_Row]] = {
    "agencies": Agency,
    "teams": Team,
    "venues": Venue,
    "gates": Gate,
    "sectors": Sector,
    "transport": TransportNode,
    "links": WalkingLink,
    "matches": Match,
}
"""Each table of a scenario directory and the model of its rows, in load order."""
