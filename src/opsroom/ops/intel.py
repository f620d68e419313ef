"""Intelligence shared between agencies: watchlist entries and the screening alerts they raise.

Need-to-know: an entry is visible to its owner agency and to the agencies it is shared with;
``"*"`` shares it with every agency, which TLP 2.0 allows only for TLP:CLEAR and TLP:GREEN. Entry
ids are an agency's own: the key is (owner agency, id), so one agency's ids tell nothing about
another's. An alert is visible exactly where its entry is, under a random public id; the screened
person's details go only to the agency that ran the screening (the others see that the entry
matched, the score and whom to ask); the decision belongs to the entry's owner, and everyone who
sees the alert may comment. Only analysts and commanders read intelligence, and every read,
screening run, decision and comment is written to the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opsroom.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from opsroom.ops import audit
from opsroom.ops.event_times import EventTime
from opsroom.ops.identity import Clock, Principal, utc_now
from opsroom.ops.roles import Permission
from opsroom.screening import Person, Screener, WatchlistEntry
from opsroom.screening.model import PartialDate
from opsroom.store.ops_models import AlertCommentRow, ScreeningAlertRow, WatchlistEntryRow

TLP_LEVELS = ("clear", "green", "amber", "amber+strict", "red")
"""Traffic Light Protocol 2.0 labels (FIRST)."""
OPEN_TO_ALL = ("clear", "green")
DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed"}
PUBLIC_ID_BYTES = 16
"""128 random bits per alert id, written URL-safe (22 characters)."""


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


@dataclass(frozen=True, kw_only=True)
class EntryIn:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    birth_date: str | None = None
    nationality: str | None = None
    doc_number: str | None = None
    shared_with: tuple[str, ...] = ()
    tlp: str = "amber"


def entry_dict(row: WatchlistEntryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "aliases": list(row.aliases),
        "birth_date": row.birth_date,
        "nationality": row.nationality,
        "doc_number": row.doc_number,
        "owner_agency": row.owner_agency,
        "shared_with": list(row.shared_with),
        "tlp": row.tlp,
        "created_at": row.created_at.isoformat(),
    }


def visible(row: WatchlistEntryRow, agency_id: str) -> bool:
    return (
        row.owner_agency == agency_id
        or agency_id in row.shared_with
        or ("*" in row.shared_with and row.tlp in OPEN_TO_ALL)
    )


def _require(principal: Principal, permission: Permission) -> None:
    if not principal.can(permission):
        raise PermissionDeniedError(f"role '{principal.role.value}' may not do this")


def add_entries(
    session: Session,
    principal: Principal,
    entries: Sequence[EntryIn],
    *,
    client: str,
    clock: Clock = utc_now,
) -> list[dict[str, Any]]:
    """Add entries owned by the caller's agency; all or none."""
    _require(principal, Permission.MANAGE_INTELLIGENCE)
    problems = []
    for index, entry in enumerate(entries):
        where = f"entries[{index}]"
        if entry.tlp not in TLP_LEVELS:
            problems.append(Problem(f"one of {', '.join(TLP_LEVELS)}", field=f"{where}.tlp"))
        elif "*" in entry.shared_with and entry.tlp not in OPEN_TO_ALL:
            problems.append(
                Problem(
                    f"TLP:{entry.tlp.upper()} cannot be shared with every agency ('*')",
                    field=f"{where}.shared_with",
                )
            )
        if entry.birth_date:
            try:
                PartialDate.parse(entry.birth_date)
            except (ValueError, InvalidInputError):
                problems.append(Problem("YYYY, YYYY-MM or YYYY-MM-DD", field=f"{where}.birth_date"))
        # Only the caller's own ids can collide: other agencies' ids are not looked at.
        if session.get(WatchlistEntryRow, (principal.agency_id, entry.id)) is not None:
            problems.append(Problem(f"entry '{entry.id}' already exists", field=f"{where}.id"))
    if problems:
        raise InvalidInputError("watchlist entries refused: nothing was stored", problems)
    now = clock()
    rows = [
        WatchlistEntryRow(
            id=e.id,
            owner_agency=principal.agency_id,
            name=e.name,
            aliases=list(e.aliases),
            birth_date=e.birth_date or None,
            nationality=e.nationality,
            doc_number=e.doc_number,
            shared_with=sorted(set(e.shared_with)),
            tlp=e.tlp,
            created_by=principal.username,
            created_at=now,
        )
        for e in entries
    ]
    session.add_all(rows)
    for row in rows:
        audit.record(
            session,
            principal,
            action="create",
            object_type="watchlist_entry",
            object_id=row.id,
            client=client,
            clock=clock,
        )
    session.flush()
    return [entry_dict(r) for r in rows]


def visible_entries(session: Session, principal: Principal) -> list[WatchlistEntryRow]:
    _require(principal, Permission.READ_INTELLIGENCE)
    rows = session.scalars(
        select(WatchlistEntryRow).order_by(WatchlistEntryRow.id, WatchlistEntryRow.owner_agency)
    )
    return [r for r in rows if visible(r, principal.agency_id)]


def list_entries(
    session: Session, principal: Principal, *, client: str, reason: str, clock: Clock = utc_now
) -> list[dict[str, Any]]:
    rows = visible_entries(session, principal)
    audit.record(
        session,
        principal,
        action="list",
        object_type="watchlist_entry",
        object_id=f"{len(rows)} entries",
        client=client,
        reason=reason,
        clock=clock,
    )
    return [entry_dict(r) for r in rows]


def _to_screening_entry(key: str, row: WatchlistEntryRow) -> WatchlistEntry:
    return WatchlistEntry(
        id=key,
        name=row.name,
        aliases=tuple(row.aliases),
        birth_date=PartialDate.parse(row.birth_date) if row.birth_date else None,
        nationality=row.nationality,
        doc_number=row.doc_number,
    )


PERSON_FIELDS = ("person_id", "person_name")
"""What an alert's summary says of the screened person: for the screening agency alone."""


def without_person(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary as every agency but the screening one sees it."""
    return {key: value for key, value in summary.items() if key not in PERSON_FIELDS}


def alert_summary(
    row: ScreeningAlertRow, entry: WatchlistEntryRow, agency_id: str | None = None
) -> dict[str, Any]:
    """The alert as ``agency_id`` may see it: the person only for the agency that screened.

    ``agency_id`` None gives the screening agency's view.
    """
    summary: dict[str, Any] = {
        "id": row.public_id,
        "entry_id": row.entry_id,
        "entry_name": entry.name,
        "owner_agency": entry.owner_agency,
        "screening_agency": row.screening_agency,
        "tlp": entry.tlp,
        "score": round(row.score, 4),
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "decided_by": row.decided_by,
        "decision_reason": row.decision_reason,
    }
    if agency_id is None or agency_id == row.screening_agency:
        summary |= {"person_id": row.person_id, "person_name": row.person_name}
    return summary


def screen_people(
    session: Session,
    principal: Principal,
    people: Sequence[Person],
    *,
    client: str,
    threshold: float | None = None,
    at: EventTime | None = None,
    clock: Clock = utc_now,
) -> list[tuple[ScreeningAlertRow, WatchlistEntryRow]]:
    """Screen people against every entry the caller's agency may see; store one alert per hit.

    The alerts are dated ``at`` (a run's ``screened_at``, checked by
    :func:`opsroom.ops.event_times.event_time`), else by ``clock``.
    """
    _require(principal, Permission.MANAGE_INTELLIGENCE)
    # Keys of the screener's own: two agencies may use the same entry id.
    entries = {f"{i:08d}": row for i, row in enumerate(visible_entries(session, principal))}
    audit.record(
        session,
        principal,
        action="screen",
        object_type="screening_run",
        object_id=f"{len(people)} people",
        client=client,
        clock=clock,
    )
    if not entries or not people:
        return []
    screener = Screener.from_entries(_to_screening_entry(k, r) for k, r in entries.items())
    if at is None:
        received = clock()
        at = EventTime(at=received, received_at=received)
    created = []
    for person, hits in zip(people, screener.screen_many(people, workers=1), strict=True):
        for hit in hits if threshold is None else [h for h in hits if h.score >= threshold]:
            entry = entries[hit.entry_id]
            row = ScreeningAlertRow(
                public_id=new_public_id(),
                screening_agency=principal.agency_id,
                person_id=person.id,
                person_name=person.name,
                person={
                    "id": person.id,
                    "name": person.name,
                    "birth_date": str(person.birth_date) if person.birth_date else None,
                    "nationality": person.nationality,
                    "doc_number": person.doc_number,
                },
                entry_owner=entry.owner_agency,
                entry_id=entry.id,
                score=hit.score,
                explanation={"text": hit.explanation(), **hit.to_dict(), "entry_id": entry.id},
                status="open",
                created_by=principal.username,
                created_at=at.at,
                received_at=at.received_at,
            )
            session.add(row)
            created.append((row, entry))
    session.flush()
    return created


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    status: str | None,
    client: str,
    reason: str,
    clock: Clock = utc_now,
) -> list[dict[str, Any]]:
    entries = {(row.owner_agency, row.id): row for row in visible_entries(session, principal)}
    query = select(ScreeningAlertRow).order_by(ScreeningAlertRow.id.desc())
    if status is not None:
        query = query.where(ScreeningAlertRow.status == status)
    alerts = [
        alert_summary(row, entries[(row.entry_owner, row.entry_id)], principal.agency_id)
        for row in session.scalars(query)
        if (row.entry_owner, row.entry_id) in entries
    ]
    audit.record(
        session,
        principal,
        action="list",
        object_type="screening_alert",
        object_id=f"{len(alerts)} alerts",
        client=client,
        reason=reason,
        clock=clock,
    )
    return alerts


def _visible_alert(
    session: Session, principal: Principal, alert_id: str
) -> tuple[ScreeningAlertRow, WatchlistEntryRow]:
    _require(principal, Permission.READ_INTELLIGENCE)
    row = session.scalars(
        select(ScreeningAlertRow).where(ScreeningAlertRow.public_id == alert_id)
    ).one_or_none()
    entry = (
        session.get(WatchlistEntryRow, (row.entry_owner, row.entry_id)) if row is not None else None
    )
    if row is None or entry is None or not visible(entry, principal.agency_id):
        # The same answer whether it does not exist or is not shared: no existence leak.
        raise NotFoundError(f"no screening alert {alert_id}")
    return row, entry


def _comments(session: Session, row: ScreeningAlertRow) -> list[dict[str, Any]]:
    query = (
        select(AlertCommentRow)
        .where(AlertCommentRow.alert_id == row.id)
        .order_by(AlertCommentRow.id)
    )
    return [
        {
            "author": c.author,
            "agency_id": c.agency_id,
            "text": c.text,
            "created_at": c.created_at.isoformat(),
        }
        for c in session.scalars(query)
    ]


def read_alert(
    session: Session,
    principal: Principal,
    alert_id: str,
    *,
    client: str,
    reason: str,
    clock: Clock = utc_now,
) -> dict[str, Any]:
    row, entry = _visible_alert(session, principal, alert_id)
    audit.record(
        session,
        principal,
        action="read",
        object_type="screening_alert",
        object_id=alert_id,
        client=client,
        reason=reason,
        clock=clock,
    )
    answer = {
        **alert_summary(row, entry, principal.agency_id),
        "entry": entry_dict(entry),
        "comments": _comments(session, row),
    }
    if principal.agency_id == row.screening_agency:
        # The explanation aligns the person's name tokens: the person's details, too.
        answer |= {"person": row.person, "explanation": row.explanation}
    return answer


def decide(
    session: Session,
    principal: Principal,
    alert_id: str,
    *,
    decision: str,
    reason: str,
    client: str,
    clock: Clock = utc_now,
) -> dict[str, Any]:
    _require(principal, Permission.MANAGE_INTELLIGENCE)
    row, entry = _visible_alert(session, principal, alert_id)
    if entry.owner_agency != principal.agency_id:
        # The alert is visible to the caller, so saying so leaks nothing.
        raise PermissionDeniedError(
            f"decisions on this alert belong to the entry's owner, {entry.owner_agency}; "
            "add a comment instead"
        )
    if decision not in DECISIONS:
        raise InvalidInputError(
            "unknown decision", [Problem("confirm or dismiss", field="decision")]
        )
    if not reason.strip():
        raise InvalidInputError("a decision needs its reason", [Problem("empty", field="reason")])
    if row.status != "open":
        raise ConflictError(f"alert {alert_id} is already {row.status}")
    row.status = DECISIONS[decision]
    row.decided_by = principal.username
    row.decided_at = clock()
    row.decision_reason = reason
    audit.record(
        session,
        principal,
        action=decision,
        object_type="screening_alert",
        object_id=alert_id,
        client=client,
        reason=reason,
        clock=clock,
    )
    session.flush()
    return alert_summary(row, entry, principal.agency_id)


def add_comment(
    session: Session,
    principal: Principal,
    alert_id: str,
    *,
    text: str,
    client: str,
    clock: Clock = utc_now,
) -> dict[str, Any]:
    """A note on an alert by an analyst or commander of any agency that may see it."""
    _require(principal, Permission.MANAGE_INTELLIGENCE)
    row, _entry = _visible_alert(session, principal, alert_id)
    if not text.strip():
        raise InvalidInputError("a comment needs its text", [Problem("empty", field="text")])
    comment = AlertCommentRow(
        alert_id=row.id,
        author=principal.username,
        agency_id=principal.agency_id,
        text=text,
        created_at=clock(),
    )
    session.add(comment)
    audit.record(
        session,
        principal,
        action="comment",
        object_type="screening_alert",
        object_id=alert_id,
        client=client,
        clock=clock,
    )
    session.flush()
    return {
        "author": comment.author,
        "agency_id": comment.agency_id,
        "text": comment.text,
        "created_at": comment.created_at.isoformat(),
    }
