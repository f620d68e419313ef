"""Workforce CSV import and export, and a synthetic workforce for planning exercises.

CSV columns (one officer a row): ``officer_id, agency, partner (true/false), rank, skills,
languages, clearance, zones, home_base, available_from, available_until, leave``. List fields
are separated by ``|``; ``leave`` holds ``YYYY-MM-DD/YYYY-MM-DD`` ranges separated by ``|``.
Two optional columns hold the officer's wishes: ``wishes_off`` (dates) and ``preferred_venues``
(venue ids); the planner honours them where the cover allows. Reading checks every row and
names the row and field of each problem; nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from opsroom.deployment.workforce import KNOWN_SKILLS, KNOWN_ZONES, Officer, Rank
from opsroom.errors import InvalidInputError, Problem
from opsroom.files import read_csv, write_atomically
from opsroom.scenario import AgencyKind, Scenario

__all__ = ["COLUMNS", "generate_workforce", "read_workforce", "write_workforce"]

COLUMNS = (
    "officer_id",
    "agency",
    "partner",
    "rank",
    "skills",
    "languages",
    "clearance",
    "zones",
    "home_base",
    "available_from",
    "available_until",
    "leave",
)
OPTIONAL_COLUMNS = ("wishes_off", "preferred_venues")
"""Officers' wishes, honoured where the cover allows (an absent column means none)."""


def write_workforce(path: Path, officers: Iterable[Officer]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS + OPTIONAL_COLUMNS)
    for o in officers:
        writer.writerow(
            (
                o.id,
                o.agency,
                "true" if o.partner else "false",
                o.rank.value,
                "|".join(sorted(o.skills)),
                "|".join(sorted(o.languages)),
                o.clearance,
                "|".join(sorted(o.zones)),
                o.home_base,
                o.available_from.isoformat(),
                o.available_until.isoformat(),
                "|".join(f"{a.isoformat()}/{b.isoformat()}" for a, b in o.leave),
                "|".join(d.isoformat() for d in sorted(o.wishes_off)),
                "|".join(sorted(o.preferred_venues)),
            )
        )
    write_atomically(path, buffer.getvalue())


def _split(value: str) -> frozenset[str]:
    return frozenset(v.strip() for v in value.split("|") if v.strip())


def read_workforce(path: Path) -> tuple[Officer, ...]:
    """Read a workforce CSV; raise :class:`InvalidInputError` listing every bad row and field."""
    name = str(path)
    header, rows = read_csv(path, what="workforce file")
    problems: list[Problem] = []
    officers: list[Officer] = []
    seen: set[str] = set()
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInputError(
            f"cannot read {name}",
            [Problem(f"missing column {c!r}", file=name, row=1, field=c) for c in missing],
        )
    for number, row in rows:
        before = len(problems)

        def bad(field: str, message: str, number: int = number) -> None:
            problems.append(Problem(message, file=name, row=number, field=field))

        officer_id = (row["officer_id"] or "").strip()
        if not officer_id:
            bad("officer_id", "empty")
        elif officer_id in seen:
            bad("officer_id", f"duplicate officer {officer_id!r}")
        seen.add(officer_id)
        partner = (row["partner"] or "").strip().lower()
        if partner not in ("true", "false"):
            bad("partner", f"expected true or false, got {row['partner']!r}")
        try:
            rank = Rank((row["rank"] or "").strip())
        except ValueError:
            bad("rank", f"unknown rank {row['rank']!r} (one of {', '.join(Rank)})")
            rank = Rank.CONSTABLE
        skills = _split(row["skills"] or "")
        for s in sorted(skills - KNOWN_SKILLS):
            bad("skills", f"unknown skill {s!r} (known: {', '.join(sorted(KNOWN_SKILLS))})")
        zones = _split(row["zones"] or "")
        for z in sorted(zones - KNOWN_ZONES):
            bad("zones", f"unknown zone {z!r} (known: {', '.join(sorted(KNOWN_ZONES))})")
        languages = _split(row["languages"] or "")
        for lang in sorted(languages):
            if len(lang) != 2 or not lang.isalpha():
                bad("languages", f"not an ISO 639-1 code: {lang!r}")
        try:
            clearance = int(row["clearance"])
            if not 0 <= clearance <= 5:
                bad("clearance", f"must be 0-5, got {clearance}")
        except (TypeError, ValueError):
            bad("clearance", f"not a number: {row['clearance']!r}")
            clearance = 0
        dates: dict[str, date] = {}
        for field in ("available_from", "available_until"):
            try:
                dates[field] = date.fromisoformat((row[field] or "").strip())
            except ValueError:
                bad(field, f"not a date (YYYY-MM-DD): {row[field]!r}")
        wishes: set[date] = set()
        for part in _split(row.get("wishes_off") or ""):
            try:
                wishes.add(date.fromisoformat(part))
            except ValueError:
                bad("wishes_off", f"not a date (YYYY-MM-DD): {part!r}")
        leave: list[tuple[date, date]] = []
        for part in (row["leave"] or "").split("|"):
            if not part.strip():
                continue
            first, _, last = part.strip().partition("/")
            try:
                leave.append((date.fromisoformat(first), date.fromisoformat(last)))
            except ValueError:
                bad("leave", f"not a date range (YYYY-MM-DD/YYYY-MM-DD): {part!r}")
        if len(problems) > before:
            continue
        try:
            officers.append(
                Officer(
                    id=officer_id,
                    agency=(row["agency"] or "").strip(),
                    partner=partner == "true",
                    rank=rank,
                    skills=skills,
                    languages=languages,
                    clearance=clearance,
                    zones=zones,
                    home_base=(row["home_base"] or "").strip(),
                    available_from=dates["available_from"],
                    available_until=dates["available_until"],
                    leave=tuple(sorted(leave)),
                    wishes_off=frozenset(wishes),
                    preferred_venues=_split(row.get("preferred_venues") or ""),
                )
            )
        except ValueError as exc:
            field = "leave" if "leave" in str(exc) else "available_until"
            bad(field, str(exc).split(": ", 1)[-1])
    if problems:
        raise InvalidInputError(f"invalid workforce file {name}", problems)
    return tuple(officers)


# Shares of the synthetic workforce (default: reasoned for a police force deployed at a
# tournament; no published breakdown exists). Each officer gets each skill with this probability.
_SKILL_SHARE = {
    "stewarding": 0.65,
    "screening": 0.55,
    "turnstile": 0.30,
    "response": 0.20,
    "close_protection": 0.08,
    "control_room": 0.06,
}
_RANK_WEIGHTS = {Rank.CONSTABLE: 80, Rank.SERGEANT: 14, Rank.INSPECTOR: 5, Rank.COMMANDER: 1}


def generate_workforce(
    scenario: Scenario,
    *,
    officers: int = 12_000,
    partners: int = 3_000,
    seed: int = 0,
    leave_share: float = 0.05,
    wish_share: float = 0.15,
    venue_share: float = 0.2,
) -> tuple[Officer, ...]:
    """A synthetic tournament workforce: ``officers`` in all, ``partners`` of them from the
    scenario's partner agencies (split evenly), the rest from the host agency.

    Host officers speak Arabic (95 %) and English (60 %); partner officers Arabic (90 %),
    French (75 %) and English (40 %) — reasoned defaults for a Gulf host with a Maghrebi
    partner. Partners are deployed from 3 days before the first match to 2 days after the last;
    ``leave_share`` of officers take 1-3 days of leave; ``wish_share`` ask for 1-3 days off
    and ``venue_share`` name 1-2 venues they would rather work at (drawn from a random stream of
    their own, so the rest of the workforce does not change with them).
    """
    if not 0 <= partners <= officers:
        raise InvalidInputError(f"partners must be between 0 and {officers}, got {partners}")
    hosts = [a for a in scenario.agencies if a.kind == AgencyKind.HOST]
    partner_agencies = [a for a in scenario.agencies if a.kind == AgencyKind.PARTNER]
    if not hosts or (partners and not partner_agencies):
        raise InvalidInputError("the scenario needs a host agency (and a partner one for partners)")
    rng = random.Random(seed)
    wishes_rng = random.Random(f"{seed}/wishes")
    first, last = scenario.info.start_date, scenario.info.end_date
    bases = [v.id for v in scenario.venues]
    result: list[Officer] = []
    width = len(str(officers))
    for i in range(officers):
        partner = i < partners
        agency = partner_agencies[i % len(partner_agencies)].id if partner else hosts[0].id
        skills = frozenset(s for s, p in _SKILL_SHARE.items() if rng.random() < p)
        if not skills:
            skills = frozenset({rng.choice(("stewarding", "screening"))})
        languages = set()
        if rng.random() < (0.90 if partner else 0.95):
            languages.add("ar")
        if rng.random() < (0.40 if partner else 0.60):
            languages.add("en")
        if partner and rng.random() < 0.75:
            languages.add("fr")
        if not languages:
            languages.add("en")
        rank = rng.choices(list(_RANK_WEIGHTS), weights=list(_RANK_WEIGHTS.values()))[0]
        clearance = rng.choices((1, 2, 3, 4), weights=(45, 35, 15, 5))[0]
        if skills & {"control_room", "close_protection"}:
            clearance = max(clearance, 3)
        zones = {"perimeter", "bowl"}
        if "control_room" in skills:
            zones.add("control")
        if "close_protection" in skills:
            zones |= {"vip", "team"}
        available_from = first - timedelta(days=3) if partner else first - timedelta(days=10)
        available_until = last + timedelta(days=2) if partner else last + timedelta(days=10)
        leave: tuple[tuple[date, date], ...] = ()
        if rng.random() < leave_share:
            start = first + timedelta(days=rng.randrange((last - first).days + 1))
            leave = ((start, start + timedelta(days=rng.randrange(3))),)
        result.append(
            Officer(
                id=f"{'P' if partner else 'H'}{i:0{width}d}",
                agency=agency,
                partner=partner,
                rank=rank,
                skills=skills,
                languages=frozenset(languages),
                clearance=clearance,
                zones=frozenset(zones),
                home_base=rng.choice(bases),
                available_from=available_from,
                available_until=available_until,
                leave=leave,
                wishes_off=frozenset(
                    first + timedelta(days=wishes_rng.randrange((last - first).days + 1))
                    for _ in range(wishes_rng.randint(1, 3))
                )
                if wishes_rng.random() < wish_share
                else frozenset(),
                preferred_venues=frozenset(
                    wishes_rng.sample(bases, wishes_rng.randint(1, min(2, len(bases))))
                )
                if wishes_rng.random() < venue_share
                else frozenset(),
            )
        )
    return tuple(result)
