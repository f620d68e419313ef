"""Repository for tournament scenarios: write one in a single transaction, read it back whole."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opsroom.errors import ConflictError, NotFoundError
from opsroom.scenario import (
    Agency,
    Gate,
    Match,
    Scenario,
    ScenarioInfo,
    Sector,
    Team,
    TransportNode,
    Venue,
    WalkingLink,
)
from opsroom.store.models import (
    AgencyRow,
    Base,
    GateRow,
    MatchRow,
    ScenarioRow,
    SectorRow,
    TeamRow,
    TransportNodeRow,
    VenueRow,
    WalkingLinkRow,
)

# Each table of a scenario, its row class and its model, in the order foreign keys need.
_TABLES: tuple[tuple[str, type[Base], type[BaseModel]], ...] = (
    ("agencies", AgencyRow, Agency),
    ("teams", TeamRow, Team),
    ("venues", VenueRow, Venue),
    ("gates", GateRow, Gate),
    ("sectors", SectorRow, Sector),
    ("transport", TransportNodeRow, TransportNode),
    ("links", WalkingLinkRow, WalkingLink),
    ("matches", MatchRow, Match),
)


def list_scenarios(session: Session) -> list[ScenarioRow]:
    return list(session.scalars(select(ScenarioRow).order_by(ScenarioRow.id)))


def save_scenario(
    session: Session,
    scenario: Scenario,
    *,
    replace: bool = False,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Write ``scenario``; with ``replace``, an earlier copy of it is removed first.

    Runs inside the caller's transaction: either everything is written or nothing is.
    """
    existing = session.get(ScenarioRow, scenario.info.id)
    if existing is not None:
        if not replace:
            raise ConflictError(
                f"scenario '{scenario.info.id}' is already in the database; "
                "load it with --replace to overwrite it"
            )
        for _, row_class, _ in reversed(_TABLES):
            session.execute(
                delete(row_class).where(row_class.scenario_id == scenario.info.id)  # type: ignore[attr-defined]
            )
        session.delete(existing)
        session.flush()
    session.add(ScenarioRow(**scenario.info.model_dump(), loaded_at=clock()))
    session.flush()
    for table, row_class, _ in _TABLES:
        records: tuple[BaseModel, ...] = getattr(scenario, table)
        session.add_all(
            row_class(scenario_id=scenario.info.id, **record.model_dump()) for record in records
        )
        session.flush()


def read_scenario(session: Session, scenario_id: str) -> Scenario:
    """The scenario as stored, with kick-offs back in each venue's local time."""
    info_row = session.get(ScenarioRow, scenario_id)
    if info_row is None:
        raise NotFoundError(f"scenario '{scenario_id}' is not in the database")
    info = ScenarioInfo(
        id=info_row.id,
        name=info_row.name,
        timezone=info_row.timezone,
        start_date=info_row.start_date,
        end_date=info_row.end_date,
        description=info_row.description,
    )
    tables: dict[str, list[BaseModel]] = {}
    for table, row_class, model in _TABLES:
        rows = session.scalars(
            select(row_class)
            .where(row_class.scenario_id == scenario_id)  # type: ignore[attr-defined]
            .order_by(row_class.id)  # type: ignore[attr-defined]
        )
        fields = model.model_fields
        tables[table] = [
            model.model_validate({name: getattr(row, name) for name in fields}) for row in rows
        ]
    venue_tz = {v.id: ZoneInfo(v.timezone) for v in tables["venues"] if isinstance(v, Venue)}
    matches = [
        m.model_copy(update={"kickoff": m.kickoff.astimezone(venue_tz[m.venue_id])})
        for m in tables["matches"]
        if isinstance(m, Match)
    ]
    return Scenario(
        info=info,
        agencies=tuple(a for a in tables["agencies"] if isinstance(a, Agency)),
        teams=tuple(t for t in tables["teams"] if isinstance(t, Team)),
        venues=tuple(v for v in tables["venues"] if isinstance(v, Venue)),
        gates=tuple(g for g in tables["gates"] if isinstance(g, Gate)),
        sectors=tuple(s for s in tables["sectors"] if isinstance(s, Sector)),
        transport=tuple(t for t in tables["transport"] if isinstance(t, TransportNode)),
        links=tuple(k for k in tables["links"] if isinstance(k, WalkingLink)),
        matches=tuple(sorted(matches, key=lambda m: (m.kickoff, m.id))),
    )
