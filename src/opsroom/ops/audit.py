"""The audit log: who read or changed what, when, from where and why. Append-only, hash-chained.

Every row holds ``seq`` (1, 2, 3... without gaps), ``prev_hash`` (the previous row's ``hash``, or
:data:`GENESIS` for row 1) and ``hash``, the SHA-256 (hex) of the row's canonical form
(:func:`canonical_form`): the UTF-8 bytes of a JSON object with sorted keys, no spaces, non-ASCII
characters as they are, holding ``seq``, ``at`` (UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``),
``username``, ``agency_id``, ``role``, ``action``, ``object_type``, ``object_id``, ``client``,
``reason`` and ``prev_hash``. Changing, deleting or reordering any row breaks the chain at that
row (:func:`verify_chain`); removing rows at the tail is seen only against a head (``seq`` and
``hash``) kept elsewhere: the ``audit_head`` table, and heads printed by ``opsroom audit head``.

Writers are serialised by the one row of ``audit_head``, which each of them updates first: the
row lock (PostgreSQL) or the write lock (SQLite) is held until the transaction ends, so two
transactions never chain to the same row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opsroom.ops.identity import Clock, Principal, utc_now
from opsroom.store.ops_models import AuditEntryRow, AuditHeadRow

GENESIS = "0" * 64
"""What the first row chains to."""
HEAD_ID = 1


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    id: int
    at: datetime
    username: str
    agency_id: str
    role: str
    action: str
    object_type: str
    object_id: str
    client: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Head:
    """The newest link of the chain: how many rows, and the last row's hash."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Head:
        """``SEQ:HASH`` as printed by ``opsroom audit head``."""
        seq, _, digest = text.strip().partition(":")
        if (
            not seq.isdigit()
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(f"a head is SEQ:HASH (64 lowercase hex digits), not {text!r}")
        return cls(seq=int(seq), hash=digest)


@dataclass(frozen=True, kw_only=True)
class Verdict:
    """What :func:`verify_chain` found: ``ok``, the rows checked, and the first bad row."""

    ok: bool
    rows: int
    head: Head
    problem: str = ""


def _utc_text(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at.isoformat()} in the audit log: give its zone")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_form(fields: dict[str, Any]) -> bytes:
    """The bytes hashed for one row (``fields`` holds the keys listed in the module docstring)."""
    document = {
        "seq": int(fields["seq"]),
        "at": _utc_text(fields["at"]),
        "username": fields["username"],
        "agency_id": fields["agency_id"],
        "role": fields["role"],
        "action": fields["action"],
        "object_type": fields["object_type"],
        "object_id": fields["object_id"],
        "client": fields["client"],
        "reason": fields["reason"],
        "prev_hash": fields["prev_hash"],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def row_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_form(fields)).hexdigest()


def _fields(row: Any) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "at": row.at,
        "username": row.username,
        "agency_id": row.agency_id,
        "role": row.role,
        "action": row.action,
        "object_type": row.object_type,
        "object_id": row.object_id,
        "client": row.client,
        "reason": row.reason,
        "prev_hash": row.prev_hash,
    }


def record_event(
    session: Session,
    *,
    username: str,
    agency_id: str,
    role: str,
    action: str,
    object_type: str,
    object_id: str,
    client: str,
    reason: str = "",
    clock: Clock = utc_now,
) -> None:
    """Write one entry, with or without a signed-in user (a failed sign-in has none).

    The entry is chained to the newest row under the head's lock, in the caller's transaction.
    """
    # Take the lock first (an UPDATE), then read what it protects.
    session.execute(
        update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).values(seq=AuditHeadRow.seq + 1)
    )
    head = session.execute(
        select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == HEAD_ID)
    ).one()
    fields = {
        "seq": head.seq,
        "at": clock(),
        # Cut to the columns' sizes: a failed sign-in's name is whatever the caller sent.
        "username": username[:64],
        "agency_id": agency_id[:64],
        "role": role[:16],
        "action": action[:64],
        "object_type": object_type[:64],
        "object_id": object_id[:128],
        "client": client[:128],
        "reason": reason,
        "prev_hash": head.hash,
    }
    digest = row_hash(fields)
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == HEAD_ID).values(hash=digest))
    session.add(AuditEntryRow(**fields, hash=digest))
    session.flush()


def record(
    session: Session,
    principal: Principal,
    *,
    action: str,
    object_type: str,
    object_id: str,
    client: str,
    reason: str = "",
    clock: Clock = utc_now,
) -> None:
    """Write one entry in the caller's transaction: a read and its record stand or fall together."""
    record_event(
        session,
        username=principal.username,
        agency_id=principal.agency_id,
        role=principal.role.value,
        action=action,
        object_type=object_type,
        object_id=object_id,
        client=client,
        reason=reason,
        clock=clock,
    )


def list_entries(
    session: Session,
    *,
    agency_id: str,
    limit: int = 200,
    object_type: str | None = None,
) -> list[AuditEntry]:
    """The newest entries written by users of ``agency_id``: an agency reads its own trail only."""
    query = (
        select(AuditEntryRow)
        .where(AuditEntryRow.agency_id == agency_id)
        .order_by(AuditEntryRow.seq.desc())
        .limit(limit)
    )
    if object_type is not None:
        query = query.where(AuditEntryRow.object_type == object_type)
    return [
        AuditEntry(
            id=row.id,
            at=row.at,
            username=row.username,
            agency_id=row.agency_id,
            role=row.role,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            client=row.client,
            reason=row.reason,
        )
        for row in session.scalars(query)
    ]


def chain(rows: Iterable[dict[str, Any]], *, start: Head | None = None) -> Iterator[dict[str, Any]]:
    """``rows`` (fields without hashes, oldest first) with ``seq``, ``prev_hash`` and ``hash``."""
    seq, previous = (start.seq, start.hash) if start is not None else (0, GENESIS)
    for row in rows:
        seq += 1
        fields = {**row, "seq": seq, "prev_hash": previous}
        previous = row_hash(fields)
        yield {**fields, "hash": previous}


def stored_head(session: Session) -> Head:
    """The head as kept in ``audit_head``."""
    row = session.get(AuditHeadRow, HEAD_ID)
    return Head(seq=row.seq, hash=row.hash) if row is not None else Head(seq=0, hash=GENESIS)


def _link_problem(row: Any, *, seq: int, previous: str, expect: Head | None) -> str:
    """Why ``row`` is not the ``seq``-th link after ``previous``, or "" when it is."""
    if row.seq != seq:
        return f"seq should be {seq}: a row is missing or out of order"
    if row.prev_hash != previous:
        return "prev_hash is not the previous row's hash: a row was removed or moved"
    if row.hash != row_hash(_fields(row)):
        return "hash does not match the row's content: the row was changed"
    if expect is not None and row.seq == expect.seq and row.hash != expect.hash:
        return f"hash differs from the expected head {expect}"
    return ""


def verify_chain(session: Session, *, expect: Head | None = None) -> Verdict:
    """Recompute the chain in ``seq`` order and say where, if anywhere, it breaks.

    Checked: ``seq`` runs 1, 2, 3... in ``id`` order; each ``prev_hash`` is the previous row's
    ``hash``; each ``hash`` is the SHA-256 of the row's canonical form; the last row is the head
    kept in ``audit_head``; and, when ``expect`` is given (a head printed earlier), row
    ``expect.seq`` exists and has that hash.
    """
    # The head first, then the rows up to it: rows a running server appends meanwhile are
    # beyond it and are left for the next check, instead of looking like a changed head.
    stored = stored_head(session)
    previous = GENESIS
    count = 0
    expected_seen = expect is None or expect.seq == 0
    # Plain rows, fetched in batches: a long log is neither held whole nor kept in the session.
    columns = (
        select(*AuditEntryRow.__table__.columns)
        .where(AuditEntryRow.seq <= stored.seq)
        .order_by(AuditEntryRow.id)
    )
    with session.execute(columns.execution_options(yield_per=1000)) as result:
        for row in result:
            count += 1
            why = _link_problem(row, seq=count, previous=previous, expect=expect)
            if why:
                return Verdict(
                    ok=False,
                    rows=count,
                    head=Head(seq=count - 1, hash=previous),
                    problem=f"audit row id {row.id} (seq {row.seq}): {why}",
                )
            if expect is not None and row.seq == expect.seq:
                expected_seen = True
            previous = row.hash
    head = Head(seq=count, hash=previous)
    if session.get(AuditHeadRow, HEAD_ID) is None and session.scalar(
        select(func.count()).select_from(AuditEntryRow)
    ):
        return Verdict(
            ok=False,
            rows=count,
            head=head,
            problem="audit_head is missing while the log has rows",
        )
    if not expected_seen and expect is not None:
        return Verdict(
            ok=False,
            rows=count,
            head=head,
            problem=f"the log ends at seq {count}, before the expected head {expect}: "
            "rows were removed at the tail",
        )
    if stored != head:
        return Verdict(
            ok=False,
            rows=count,
            head=head,
            problem=f"the log ends at {head} but audit_head says {stored}: "
            "rows were removed at the tail or the head was changed",
        )
    return Verdict(ok=True, rows=count, head=head)
