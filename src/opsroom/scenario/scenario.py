"""A validated scenario: every table, cross-referenced, with look-ups by id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from opsroom.errors import NotFoundError
from opsroom.scenario.model import (
    Agency,
    Gate,
    Match,
    ScenarioDocument,
    ScenarioInfo,
    Sector,
    Team,
    TransportNode,
    Venue,
    WalkingLink,
)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A tournament: venues with their gates, sectors and transport, teams, agencies and matches.

    Build one with :func:`opsroom.scenario.load_scenario`, which checks every reference; the
    constructor itself trusts its input.
    """

    info: ScenarioInfo
    agencies: tuple[Agency, ...] = ()
    teams: tuple[Team, ...] = ()
    venues: tuple[Venue, ...] = ()
    gates: tuple[Gate, ...] = ()
    sectors: tuple[Sector, ...] = ()
    transport: tuple[TransportNode, ...] = ()
    links: tuple[WalkingLink, ...] = ()
    matches: tuple[Match, ...] = ()
    _by_id: dict[str, dict[str, object]] = field(init=False, repr=False, compare=False)
    _by_venue: dict[str, dict[str, tuple[object, ...]]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_id: dict[str, dict[str, object]] = {}
        for name, rows in self._tables().items():
            by_id[name] = {row.id: row for row in rows}
        gate_venue = {gate.id: gate.venue_id for gate in self.gates}
        grouped: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
        for gate in self.gates:
            grouped["gates"][gate.venue_id].append(gate)
        for sector in self.sectors:
            grouped["sectors"][sector.venue_id].append(sector)
        for node in self.transport:
            grouped["transport"][node.venue_id].append(node)
        for link in self.links:
            grouped["links"][gate_venue.get(link.gate_id, "")].append(link)
        for match in self.matches:
            grouped["matches"][match.venue_id].append(match)
        by_venue = {
            table: {venue: tuple(rows) for venue, rows in per_venue.items()}
            for table, per_venue in grouped.items()
        }
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_by_venue", by_venue)

    def _tables(
        self,
    ) -> dict[
        str, tuple[Agency | Team | Venue | Gate | Sector | TransportNode | WalkingLink | Match, ...]
    ]:
        return {
            "agencies": self.agencies,
            "teams": self.teams,
            "venues": self.venues,
            "gates": self.gates,
            "sectors": self.sectors,
            "transport": self.transport,
            "links": self.links,
            "matches": self.matches,
        }

    @classmethod
    def from_document(cls, document: ScenarioDocument) -> Scenario:
        return cls(
            info=document.scenario,
            agencies=document.agencies,
            teams=document.teams,
            venues=document.venues,
            gates=document.gates,
            sectors=document.sectors,
            transport=document.transport,
            links=document.links,
            matches=tuple(sorted(document.matches, key=lambda m: (m.kickoff, m.id))),
        )

    def to_document(self) -> ScenarioDocument:
        return ScenarioDocument(
            scenario=self.info,
            agencies=self.agencies,
            teams=self.teams,
            venues=self.venues,
            gates=self.gates,
            sectors=self.sectors,
            transport=self.transport,
            links=self.links,
            matches=self.matches,
        )

    def _get(self, table: str, item_id: str, kind: str) -> object:
        try:
            return self._by_id[table][item_id]
        except KeyError:
            raise NotFoundError(f"no {kind} '{item_id}' in scenario '{self.info.id}'") from None

    def venue(self, venue_id: str) -> Venue:
        found = self._get("venues", venue_id, "venue")
        assert isinstance(found, Venue)
        return found

    def match(self, match_id: str) -> Match:
        found = self._get("matches", match_id, "match")
        assert isinstance(found, Match)
        return found

    def team(self, team_id: str) -> Team:
        found = self._get("teams", team_id, "team")
        assert isinstance(found, Team)
        return found

    def gate(self, gate_id: str) -> Gate:
        found = self._get("gates", gate_id, "gate")
        assert isinstance(found, Gate)
        return found

    def _of(self, table: str, venue_id: str) -> tuple[object, ...]:
        self.venue(venue_id)
        return self._by_venue.get(table, {}).get(venue_id, ())

    def gates_of(self, venue_id: str) -> tuple[Gate, ...]:
        return tuple(g for g in self._of("gates", venue_id) if isinstance(g, Gate))

    def sectors_of(self, venue_id: str) -> tuple[Sector, ...]:
        return tuple(s for s in self._of("sectors", venue_id) if isinstance(s, Sector))

    def transport_of(self, venue_id: str) -> tuple[TransportNode, ...]:
        return tuple(t for t in self._of("transport", venue_id) if isinstance(t, TransportNode))

    def links_of(self, venue_id: str) -> tuple[WalkingLink, ...]:
        return tuple(k for k in self._of("links", venue_id) if isinstance(k, WalkingLink))

    def matches_at(self, venue_id: str) -> tuple[Match, ...]:
        return tuple(m for m in self._of("matches", venue_id) if isinstance(m, Match))

    def local_date(self, match: Match) -> date:
        """The calendar date of a match in its venue's time zone."""
        return match.kickoff.astimezone(ZoneInfo(self.venue(match.venue_id).timezone)).date()

    def matches_on(self, day: date) -> tuple[Match, ...]:
        """The matches kicking off on ``day`` in their venue's local time, in kick-off order."""
        return tuple(m for m in self.matches if self.local_date(m) == day)

    def match_days(self) -> tuple[date, ...]:
        return tuple(sorted({self.local_date(m) for m in self.matches}))
