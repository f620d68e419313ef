"""Request and response bodies, each with an example for the OpenAPI description."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from opsroom.errors import OpsroomError
from opsroom.ops.scans import MAX_BATCH
from opsroom.screening.model import PartialDate

# Bidi embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they make text
# display in another order than it is stored (``Youssef \u202eirouosnaM`` shows "Mansouri").
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _printable(value: str) -> str:
    """Refuse NUL and unpaired surrogates (no database can store them) and bidi embeddings,
    overrides and isolates (they show a reader other text than what is stored)."""
    if "\x00" in value:
        raise ValueError("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text (no unpaired surrogates)") from exc
    found = _BIDI_CONTROLS.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain bidirectional control characters (U+{ord(found.group()):04X})"
        )
    return value


Text = Annotated[str, AfterValidator(_printable)]
"""Every name, identifier-like and free-text string of a request body is a ``Text``: its length
is set where it is used, and never above the column that stores it (``store/ops_models.py``)."""
ShortText = Annotated[Text, Field(min_length=1, max_length=128)]
Label = Annotated[Text, Field(min_length=1, max_length=64)]
PersonName = Annotated[Text, Field(min_length=1, max_length=500)]
Identifier = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
]
EVENT_TIME = (
    "within the tournament (with the gate scans' margin) and not in the future; "
    "leave it out for the server's clock."
)
"""What every event time of a request body says of itself (``opsroom.ops.event_times``)."""


def _partial_date(value: str) -> str:
    try:
        PartialDate.parse(value)
    except (ValueError, OpsroomError) as exc:
        raise ValueError(str(exc).splitlines()[0]) from None
    return value


BirthDate = Annotated[
    str, Field(max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"), AfterValidator(_partial_date)
]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row number.")]
AlertId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=32,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A screening alert's public id (random, URL-safe).",
    ),
]


def _example(**example: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class TokenOut(BaseModel):
    model_config = _example(access_token="vJ3...", token_type="bearer", expires_in=43200)
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")


class MeOut(BaseModel):
    model_config = _example(
        username="amina", agency_id="QA-MOI", role="operator", permissions=["read_state"]
    )
    username: str
    agency_id: str
    role: str
    permissions: list[str]


class ScanIn(BaseModel):
    model_config = _example(
        scan_id="lusail-g1-t07-000123",
        venue_id="lusail",
        gate_id="lusail-g1",
        credential_id="TKT-88231-XQ",
        direction="in",
        scanned_at="2022-12-18T16:02:11+03:00",
    )
    scan_id: ShortText
    venue_id: Identifier
    gate_id: Identifier
    credential_id: ShortText
    direction: Literal["in", "out"]
    scanned_at: AwareDatetime


class ScanBatchIn(BaseModel):
    model_config = _example(
        scans=[
            {
                "scan_id": "lusail-g1-t07-000123",
                "venue_id": "lusail",
                "gate_id": "lusail-g1",
                "credential_id": "TKT-88231-XQ",
                "direction": "in",
                "scanned_at": "2022-12-18T16:02:11+03:00",
            }
        ]
    )
    scans: list[ScanIn] = Field(max_length=MAX_BATCH)


class RejectionOut(BaseModel):
    model_config = _example(index=3, reason="scanned_at is in the future")
    index: int
    reason: str


class ScanBatchOut(BaseModel):
    model_config = _example(accepted=499, duplicates=1, rejected=[])
    accepted: int
    duplicates: int
    rejected: list[RejectionOut]


class UnitIn(BaseModel):
    model_config = _example(
        id="MA-DGSN-R12",
        name="Response team 12",
        kind="response_team",
        capabilities=["crowd_control", "arabic"],
        venue_id="lusail",
        node_id="lusail-g3",
    )
    id: Identifier
    name: ShortText
    kind: Literal["patrol", "response_team", "medical", "vehicle_patrol", "k9", "eod"]
    capabilities: list[Label] = Field(default_factory=list, max_length=32)
    agency_id: Identifier | None = Field(default=None, description="Defaults to the caller's.")
    venue_id: Identifier | None = None
    node_id: Identifier | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)


class UnitPatch(BaseModel):
    model_config = _example(status="available", node_id="lusail-g1")
    status: Literal["available", "dispatched", "on_scene", "off_duty"] | SkipJsonSchema[None] = None
    venue_id: Identifier | None = None
    node_id: Identifier | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("status", mode="before")
    @classmethod
    def _status_not_null(cls, value: object) -> object:
        """Leaving ``status`` out keeps it; null is refused (a unit always has a status)."""
        if value is None:
            raise ValueError("must not be null: leave the field out to keep the unit's status")
        return value


class IncidentIn(BaseModel):
    model_config = _example(
        type="crowd_crush_risk",
        priority=1,
        description="Queue backing onto the road at gate 3",
        venue_id="lusail",
        gate_id="lusail-g3",
        required_capability="crowd_control",
        reported_at="2022-11-26T14:59:00+03:00",
    )
    type: Label
    priority: int = Field(ge=1, le=4, description="1 is the most urgent.")
    description: Annotated[Text, Field(max_length=4000)] = ""
    venue_id: Identifier | None = None
    gate_id: Identifier | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    required_capability: Label | None = None
    reported_at: AwareDatetime | None = Field(
        default=None, description=f"When the incident was reported: {EVENT_TIME}"
    )


class IncidentPatch(BaseModel):
    model_config = _example(
        status="on_scene", note="Team at the gate", at="2022-11-26T15:07:00+03:00"
    )
    status: Literal["acknowledged", "dispatched", "on_scene", "resolved", "closed"] | None = None
    priority: int | None = Field(default=None, ge=1, le=4)
    note: Annotated[Text, Field(max_length=4000)] | None = None
    at: AwareDatetime | None = Field(
        default=None,
        description=f"When the change happened, not before the report: {EVENT_TIME}",
    )


class DispatchIn(BaseModel):
    model_config = _example(unit_id="MA-DGSN-R12", at="2022-11-26T15:01:00+03:00")
    unit_id: Identifier | None = None
    at: AwareDatetime | None = Field(
        default=None, description=f"When the unit was sent, not before the report: {EVENT_TIME}"
    )


class WatchlistEntryIn(BaseModel):
    model_config = _example(
        id="MA-2022-0042",
        name="محمد بن علي الحسني",
        aliases=["Mohamed Ben Ali El Hassani"],
        birth_date="1988",
        nationality="MA",
        shared_with=["QA-MOI"],
        tlp="amber",
    )
    id: ShortText
    name: PersonName
    aliases: list[Annotated[Text, Field(max_length=500)]] = Field(
        default_factory=list, max_length=100
    )
    birth_date: BirthDate | None = None
    nationality: Annotated[str, Field(max_length=2, pattern=r"^[A-Z]{2}$")] | None = None
    doc_number: Label | None = None
    shared_with: list[Annotated[str, Field(pattern=r"^(\*|[A-Z0-9][A-Z0-9_-]{1,63})$")]] = Field(
        default_factory=list, max_length=100
    )
    tlp: Literal["clear", "green", "amber", "amber+strict", "red"] = "amber"


class WatchlistIn(BaseModel):
    model_config = _example(
        entries=[
            {
                "id": "MA-2022-0042",
                "name": "محمد بن علي الحسني",
                "aliases": ["Mohamed Ben Ali El Hassani"],
                "birth_date": "1988",
                "shared_with": ["QA-MOI"],
                "tlp": "amber",
            }
        ]
    )
    entries: list[WatchlistEntryIn] = Field(min_length=1, max_length=10_000)

    @field_validator("entries")
    @classmethod
    def _ids_differ(cls, entries: list[WatchlistEntryIn]) -> list[WatchlistEntryIn]:
        first: dict[str, int] = {}
        for index, entry in enumerate(entries):
            earlier = first.setdefault(entry.id, index)
            if earlier != index:
                raise ValueError(f"entries {earlier} and {index} have the same id '{entry.id}'")
        return entries


class PersonIn(BaseModel):
    model_config = _example(
        id="HAYYA-5521",
        name="Mohammed bin Ali Al-Hasani",
        birth_date="1988-03-02",
        nationality="MA",
    )
    id: ShortText
    name: PersonName
    birth_date: BirthDate | None = None
    nationality: Annotated[str, Field(max_length=2, pattern=r"^[A-Z]{2}$")] | None = None
    doc_number: Label | None = None


class ScreeningRunIn(BaseModel):
    model_config = _example(
        people=[{"id": "HAYYA-5521", "name": "Mohammed bin Ali Al-Hasani", "birth_date": "1988"}],
        screened_at="2022-11-26T12:00:00+03:00",
    )
    people: list[PersonIn] = Field(min_length=1, max_length=10_000)
    screened_at: AwareDatetime | None = Field(
        default=None, description=f"When the people were screened: {EVENT_TIME}"
    )


class DecisionIn(BaseModel):
    model_config = _example(decision="dismiss", reason="Different father's name and birth year")
    decision: Literal["confirm", "dismiss"]
    reason: Annotated[Text, Field(min_length=1, max_length=2000)]


class CommentIn(BaseModel):
    model_config = _example(text="Held at gate 12; our liaison is on +974 4000 0000.")
    text: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_printable)]


class MatchOut(BaseModel):
    model_config = _example(
        id="M64",
        kickoff="2022-12-18T18:00:00+03:00",
        venue_id="lusail",
        stage="final",
        group=None,
        home="ARG",
        away="FRA",
        attendance=88966,
    )
    id: str
    kickoff: AwareDatetime
    venue_id: str
    stage: str
    group: str | None
    home: str | None
    away: str | None
    attendance: int | None


class ProblemOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"field": "scans.1.scanned_at", "message": "Input should have timezone info"}
            ]
        }
    )
    field: str | None
    message: str
    file: str | None = None
    row: int | None = None


class ErrorOut(BaseModel):
    """The body of every 4xx and 5xx answer."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": "invalid_input",
                    "message": "request is not valid",
                    "problems": [
                        {
                            "field": "scans.1.scanned_at",
                            "message": "Input should have timezone info",
                        }
                    ],
                }
            ]
        }
    )
    error: str
    message: str
    problems: list[ProblemOut] = Field(default_factory=list)
