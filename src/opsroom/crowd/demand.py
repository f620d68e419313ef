"""Demand: how many fans arrive, when (relative to kick-off), from which origin, for which sector.

An :class:`ArrivalProfile` gives the share of an origin's fans arriving in each time bin (minutes
relative to kick-off); arrivals are uniform inside a bin, so cumulative arrivals are piecewise
linear and the fluid model is exact on them. Fans split over origins by the origins' shares and
over sectors by ticket allocation (default: in proportion to seats). What-ifs: a :class:`Surge`
of extra fans, a :class:`Closure` of a checkpoint for a time window (or the whole match, which
re-routes fans to the next gate), and closed origins (a metro line closed: its fans move to the
other origins in proportion to their shares).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from opsroom.crowd.network import VenueNetwork
from opsroom.errors import InvalidInputError, Problem

PROFILE_TOLERANCE = 1e-6


@dataclass(frozen=True, kw_only=True)
class ArrivalProfile:
    """Share of arrivals per bin; ``edges_min`` are bin edges in minutes relative to kick-off."""

    edges_min: tuple[float, ...]
    shares: tuple[float, ...]
    source: str

    def __post_init__(self) -> None:
        problems = []
        if len(self.edges_min) != len(self.shares) + 1 or not self.shares:
            problems.append(Problem("needs one more bin edge than shares", field="edges_min"))
        elif any(b <= a for a, b in itertools.pairwise(self.edges_min)):
            problems.append(Problem("bin edges must increase", field="edges_min"))
        if any(share < 0 for share in self.shares):
            problems.append(Problem("a share is negative", field="shares"))
        total = sum(self.shares)
        if abs(total - 1.0) > PROFILE_TOLERANCE:
            problems.append(Problem(f"shares reach {total * 100:.2f} %, not 100 %", field="shares"))
        if problems:
            raise InvalidInputError("arrival profile is not valid", problems)

    @classmethod
    def from_percent(
        cls, *, start_min: float, bin_min: float, percent: tuple[float, ...], source: str
    ) -> ArrivalProfile:
        edges = tuple(start_min + bin_min * i for i in range(len(percent) + 1))
        return cls(edges_min=edges, shares=tuple(p / 100.0 for p in percent), source=source)

    def cumulative(self, minutes: NDArray[np.float64]) -> NDArray[np.float64]:
        """Share of fans arrived by each time (minutes relative to kick-off)."""
        cum = np.concatenate([[0.0], np.cumsum(self.shares)])
        return np.asarray(np.interp(minutes, np.asarray(self.edges_min), cum), dtype=np.float64)


DEFAULT_PROFILE = ArrivalProfile.from_percent(
    start_min=-180,
    bin_min=15,
    percent=(2, 3, 4, 5, 7, 9, 11, 13, 14, 13, 10, 6, 3),
    source="default: reasoned bell from gate opening 3 h before kick-off, peaking 60-45 min "
    "before, 3 % arriving in the first 15 min of play; replace by gate counts of past matches",
)


@dataclass(frozen=True, kw_only=True)
class Surge:
    """Extra fans arriving uniformly between two times (minutes from kick-off)."""

    persons: float
    start_min: float
    end_min: float
    origin_id: str | None = None

    def __post_init__(self) -> None:
        if self.persons < 0 or self.end_min <= self.start_min:
            raise InvalidInputError(
                "surge needs persons >= 0 and end after start",
                [Problem("invalid surge", field="surge")],
            )


@dataclass(frozen=True, kw_only=True)
class Closure:
    """A checkpoint shut; with no window it is shut for the whole match and fans re-route."""

    checkpoint_id: str
    start_min: float | None = None
    end_min: float | None = None

    @property
    def whole_match(self) -> bool:
        return self.start_min is None and self.end_min is None


@dataclass(frozen=True, kw_only=True)
class Demand:
    """Who comes to one match, when and how."""

    attendance: int
    kickoff: datetime
    profile: ArrivalProfile = DEFAULT_PROFILE
    profiles: Mapping[str, ArrivalProfile] = field(default_factory=dict)
    sector_shares: Mapping[str, float] | None = None
    origin_split: Mapping[str, float] | None = None
    surges: tuple[Surge, ...] = ()
    closures: tuple[Closure, ...] = ()
    closed_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kickoff.tzinfo is None or self.kickoff.utcoffset() is None:
            raise InvalidInputError(
                "kick-off time has no time zone",
                [Problem("give a UTC offset, e.g. 2022-11-20T19:00:00+03:00", field="kickoff")],
            )
        if self.attendance < 0:
            raise InvalidInputError(
                "attendance is negative", [Problem("must be >= 0", field="attendance")]
            )

    def profile_of(self, origin_id: str) -> ArrivalProfile:
        return self.profiles.get(origin_id, self.profile)

    def origin_shares(self, network: VenueNetwork) -> dict[str, float]:
        """Origin shares (the network's, or ``origin_split`` as a what-if, e.g. fans diverted
        to another route) after closed origins hand their fans to the others."""
        shares = {o.id: o.share.value for o in network.origins}
        if self.origin_split is not None:
            unknown = set(self.origin_split) - set(shares)
            total = sum(self.origin_split.values())
            if unknown or abs(total - 1.0) > 1e-3:
                raise InvalidInputError(
                    "origin split is not valid",
                    [Problem(f"unknown origin {oid!r}", field="origin_split") for oid in unknown]
                    + (
                        [
                            Problem(
                                f"shares reach {total * 100:.1f} %, not 100 %", field="origin_split"
                            )
                        ]
                        if abs(total - 1.0) > 1e-3
                        else []
                    ),
                )
            shares = {k: self.origin_split.get(k, 0.0) for k in shares}
        unknown = set(self.closed_origins) - set(shares)
        if unknown:
            raise InvalidInputError(
                "closed origin not in the network",
                [Problem(f"unknown origin {oid!r}", field="closed_origins") for oid in unknown],
            )
        open_total = sum(v for k, v in shares.items() if k not in self.closed_origins)
        if open_total <= 0:
            raise InvalidInputError(
                "every origin is closed", [Problem("no origin left", field="closed_origins")]
            )
        return {k: (0.0 if k in self.closed_origins else v / open_total) for k, v in shares.items()}

    def sector_split(self, network: VenueNetwork) -> dict[str, float]:
        """Share of the attendance holding a ticket for each sector."""
        if self.sector_shares is None:
            seats = sum(s.capacity for s in network.sectors)
            return {s.id: s.capacity / seats for s in network.sectors}
        known = {s.id for s in network.sectors}
        problems = [
            Problem(f"unknown sector {sid!r}", field="sector_shares")
            for sid in self.sector_shares
            if sid not in known
        ]
        total = sum(self.sector_shares.values())
        if abs(total - 1.0) > 1e-3:
            problems.append(
                Problem(
                    f"sector shares reach {total * 100:.1f} %, not 100 %", field="sector_shares"
                )
            )
        if problems:
            raise InvalidInputError("ticket allocation is not valid", problems)
        return {sid: self.sector_shares.get(sid, 0.0) for sid in known}

    def origin_curves(
        self, network: VenueNetwork, minutes: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Cumulative arrivals per origin (rows in the network's order) at each time."""
        shares = self.origin_shares(network)
        rows = []
        for origin in network.origins:
            curve = (
                self.attendance * shares[origin.id] * self.profile_of(origin.id).cumulative(minutes)
            )
            for surge in self.surges:
                if surge.origin_id is None:
                    part = shares[origin.id]
                else:
                    part = 1.0 if surge.origin_id == origin.id else 0.0
                curve = curve + part * surge.persons * np.clip(
                    (minutes - surge.start_min) / (surge.end_min - surge.start_min), 0.0, 1.0
                )
            rows.append(curve)
        return np.vstack(rows)


def profile_from_counts(
    counts: Sequence[tuple[datetime, datetime, float]],
    *,
    kickoff: datetime,
    bin_min: float = 15.0,
    source: str = "fitted to observed gate counts",
) -> ArrivalProfile:
    """An arrival profile from past gate counts ``(start, end, persons)`` around a kick-off.

    Each count is spread uniformly over its interval and summed into bins of ``bin_min`` minutes
    relative to ``kickoff``; the shares are the bins' part of the total. Counts at the first
    checkpoint are the arrivals there only when it had no queue; past matches without queues are
    the right ones to fit from.
    """
    problems = []
    for index, (start, end, persons) in enumerate(counts):
        for name, moment in (("start", start), ("end", end)):
            if moment.tzinfo is None or moment.utcoffset() is None:
                problems.append(Problem("time has no time zone", row=index + 1, field=name))
        if persons < 0:
            problems.append(Problem("count is negative", row=index + 1, field="count"))
    if kickoff.tzinfo is None or kickoff.utcoffset() is None:
        problems.append(Problem("kick-off has no time zone", field="kickoff"))
    if problems:
        raise InvalidInputError("gate counts cannot make a profile", problems)
    spans = [
        ((s - kickoff).total_seconds() / 60.0, (e - kickoff).total_seconds() / 60.0, n)
        for s, e, n in counts
        if e > s
    ]
    total = sum(n for _, _, n in spans)
    if not spans or total <= 0:
        raise InvalidInputError(
            "gate counts cannot make a profile", [Problem("no people counted", field="count")]
        )
    first = np.floor(min(a for a, _, _ in spans) / bin_min) * bin_min
    last = np.ceil(max(b for _, b, _ in spans) / bin_min) * bin_min
    edges = np.arange(first, last + bin_min / 2, bin_min)
    shares = np.zeros(len(edges) - 1)
    for a, b, persons in spans:
        overlap = np.clip(np.minimum(edges[1:], b) - np.maximum(edges[:-1], a), 0.0, None)
        shares += persons * overlap / (b - a)
    shares /= shares.sum()
    return ArrivalProfile(
        edges_min=tuple(float(e) for e in edges),
        shares=tuple(float(x) for x in shares),
        source=source,
    )
