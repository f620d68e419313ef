"""The venue network file format: origins, walking links, checkpoints in series, sectors.

A venue is a directed network. Fans leave an *origin* (metro station, bus hub, car park, fan zone),
walk along *links* (length, clear width, level/ramp/stairs), pass *checkpoints* in series
(perimeter screening lanes, ticket/ID check, turnstile banks) and reach a *sector* of the stands.
Egress runs the same network backwards: sectors empty through their exits (vomitories, stairs),
leave through the gates' exit widths, walk back along the links and, at a metro origin, wait for
trains on the platform (train capacity every headway).

Every capacity and rate is a :class:`Figure`: a value, an optional range and its source kind
(Green Guide default, measured, calibrated, user, published or a reasoned default). The same
pydantic models validate YAML files and give the JSON Schema that ``opsroom crowd schema`` prints.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from opsroom.crowd import figures
from opsroom.errors import InvalidInputError, NotFoundError, Problem
from opsroom.files import read_text, read_yaml

Identifier = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class SourceKind(StrEnum):
    GREEN_GUIDE = "green_guide"
    PUBLISHED = "published"
    MEASURED = "measured"
    CALIBRATED = "calibrated"
    USER = "user"
    DEFAULT = "default"


class Figure(_Row):
    """A sourced number: its value, an optional range and where it comes from."""

    value: float = Field(ge=0, description="The value used by the forecast.")
    low: float | None = Field(default=None, ge=0, description="Lower end of its range.")
    high: float | None = Field(default=None, ge=0, description="Upper end of its range.")
    source: SourceKind = Field(description="Kind of source; 'default' marks a reasoned default.")
    note: str = Field(default="", description="Reference or reasoning behind the figure.")

    @model_validator(mode="after")
    def _range(self) -> Self:
        low = self.low if self.low is not None else self.value
        high = self.high if self.high is not None else self.value
        if not low <= self.value <= high:
            raise ValueError(f"value {self.value} lies outside its range [{low}, {high}]")
        return self

    @property
    def range(self) -> tuple[float, float]:
        """The range (low, high); a point figure has a range of one value."""
        low = self.low if self.low is not None else self.value
        high = self.high if self.high is not None else self.value
        return (low, high)


class OriginKind(StrEnum):
    METRO = "metro"
    BUS = "bus"
    CAR_PARK = "car_park"
    FAN_ZONE = "fan_zone"
    TAXI = "taxi"
    WALK = "walk"


class CheckpointKind(StrEnum):
    SCREENING = "screening"
    TICKET = "ticket"
    TURNSTILE = "turnstile"


class LinkKind(StrEnum):
    LEVEL = "level"
    RAMP = "ramp"
    STAIRS = "stairs"


class Platform(_Row):
    """A metro platform that fans leave from after the match: a train every ``headway_s``."""

    train_capacity: Figure = Field(description="Persons one train takes away.")
    headway_s: Figure = Field(description="Seconds between trains.")

    @property
    def rate_per_s(self) -> float:
        return self.train_capacity.value / max(self.headway_s.value, 1e-9)


class Origin(_Row):
    """Where fans come from and go back to."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: OriginKind
    share: Figure = Field(description="Share of the venue's spectators using this origin (0-1).")
    platform: Platform | None = None


class Checkpoint(_Row):
    """A bank of identical servers in parallel (screening lanes, ticket checks, turnstiles)."""

    id: Identifier
    name: str = Field(min_length=1)
    kind: CheckpointKind
    servers: int = Field(ge=0, description="Lanes or turnstiles open.")
    servers_source: Figure | None = Field(
        default=None, description="Source of the server count (its value is ignored)."
    )
    rate_per_server_per_h: Figure = Field(description="Persons per hour through one server.")
    staff_per_server: Figure | None = None
    queue_area_m2: Figure | None = Field(
        default=None, description="Space available to the queue in front of it, m²."
    )
    exit_width_m: Figure | None = Field(
        default=None, description="Clear width open for egress through this point, m."
    )

    @property
    def capacity_per_h(self) -> float:
        return self.servers * self.rate_per_server_per_h.value


class Link(_Row):
    """A walking route between two points of the network (in the direction of entry)."""

    id: Identifier
    from_: Identifier = Field(alias="from")
    to: Identifier
    length_m: float = Field(ge=0)
    width_m: float = Field(gt=0, description="Narrowest clear width, m.")
    kind: LinkKind = LinkKind.LEVEL
    flow_per_m_per_min: Figure | None = Field(
        default=None,
        description="Specific flow; defaults to the Green Guide 82 (level/ramp) or 66 (stairs).",
    )
    source: str = Field(min_length=1, description="Where length and width come from.")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def specific_flow_per_m_per_min(self) -> float:
        if self.flow_per_m_per_min is not None:
            return self.flow_per_m_per_min.value
        if self.kind is LinkKind.STAIRS:
            return figures.EXIT_FLOW_STAIRS_PER_M_MIN
        return figures.EXIT_FLOW_LEVEL_PER_M_MIN

    @property
    def capacity_per_h(self) -> float:
        return self.width_m * self.specific_flow_per_m_per_min * 60.0

    @property
    def walk_seconds(self) -> float:
        speed = figures.FREE_WALKING_SPEED_M_S
        if self.kind is LinkKind.STAIRS:
            speed *= figures.STAIRS_SPEED_FACTOR
        return self.length_m / speed


class Sector(_Row):
    """A part of the stands with its seats and its exits."""

    id: Identifier
    name: str = Field(min_length=1)
    capacity: int = Field(gt=0)
    capacity_source: str = Field(min_length=1)
    exit_width_m: Figure = Field(description="Total clear width of the sector's exits, m.")
    exit_kind: LinkKind = LinkKind.STAIRS

    @property
    def exit_capacity_per_min(self) -> float:
        flow = (
            figures.EXIT_FLOW_STAIRS_PER_M_MIN
            if self.exit_kind is LinkKind.STAIRS
            else figures.EXIT_FLOW_LEVEL_PER_M_MIN
        )
        return self.exit_width_m.value * flow


class VenueInfo(_Row):
    id: Identifier
    name: str = Field(min_length=1)
    capacity: int = Field(gt=0)
    timezone: str = Field(min_length=1, description="IANA time zone, e.g. 'Asia/Qatar'.")


class VenueNetwork(_Row):
    """One venue's network: what a venue YAML file holds."""

    venue: VenueInfo
    origins: tuple[Origin, ...] = Field(min_length=1)
    checkpoints: tuple[Checkpoint, ...] = Field(min_length=1)
    links: tuple[Link, ...] = Field(min_length=1)
    sectors: tuple[Sector, ...] = Field(min_length=1)

    def checkpoint(self, checkpoint_id: str) -> Checkpoint:
        for checkpoint in self.checkpoints:
            if checkpoint.id == checkpoint_id:
                return checkpoint
        raise NotFoundError(f"no checkpoint {checkpoint_id!r} at venue {self.venue.id!r}")

    def with_servers(self, servers: dict[str, int]) -> VenueNetwork:
        """The same network with some checkpoints' server counts changed."""
        unknown = set(servers) - {c.id for c in self.checkpoints}
        if unknown:
            raise NotFoundError(f"no checkpoint {sorted(unknown)[0]!r} at {self.venue.id!r}")
        checkpoints = tuple(
            c.model_copy(update={"servers": servers[c.id]}) if c.id in servers else c
            for c in self.checkpoints
        )
        return self.model_copy(update={"checkpoints": checkpoints})


def network_schema() -> dict[str, Any]:
    """The JSON Schema of a venue network file."""
    schema = VenueNetwork.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "opsroom venue network"
    return schema


def parse_network(data: object, *, file: str = "<network>") -> VenueNetwork:
    """Validate a decoded document and its graph; errors name the file and the field."""
    try:
        network = VenueNetwork.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(
                error["msg"],
                file=file,
                field=".".join(str(part) for part in error["loc"]) or None,
            )
            for error in exc.errors()
        ]
        raise InvalidInputError(f"{file}: not a valid venue network", problems) from None
    from opsroom.crowd.topology import check_network

    problems = check_network(network, file=file)
    if problems:
        raise InvalidInputError(f"{file}: the venue network is not usable", problems)
    return network


def load_network(path: str | Path) -> VenueNetwork:
    """Read a venue network from a YAML (or JSON) file."""
    path = Path(path)
    if path.suffix != ".json":
        return parse_network(read_yaml(path, what="venue network"), file=str(path))
    try:
        data = json.loads(read_text(path, what="venue network"))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid JSON ({exc})") from None
    return parse_network(data, file=str(path))


def dump_network(network: VenueNetwork) -> str:
    """The network as YAML text that :func:`load_network` reads back."""
    data = network.model_dump(mode="json", by_alias=True, exclude_none=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
