"""Back-off on failed sign-ins, per account and per client address.

Each account and each client address may fail a few times freely; after that every further
attempt must wait, the wait doubling with each failure from 1 s up to 15 minutes (NIST SP 800-63B
§5.2.2 asks verifiers to limit failed attempts; an exponential wait limits guessing without
locking an account out for good). While a wait runs, even the right password is refused, so a
guesser learns nothing from the answer. A success clears the account's count; an address's count
is only forgotten 15 minutes after its last failure, so a guesser holding one valid account cannot
wipe it by signing in. The counts live in the database, so they hold across restarts and across
several server processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from opsroom.store.ops_models import SignInFailureRow

FIRST_WAIT = timedelta(seconds=1)
LONGEST_WAIT = timedelta(minutes=15)
FORGET_AFTER = timedelta(minutes=15)
"""A count not added to for this long starts again from zero."""


def account_key(username: str) -> str:
    return f"account:{username[:64]}"


def address_key(client: str) -> str:
    return f"address:{client[:128]}"


def blocked(session: Session, keys: list[str], now: datetime) -> dict[str, datetime]:
    """The keys whose attempts must still wait, with the end of each wait (reads only)."""
    ends = {}
    for key in keys:
        row = session.get(SignInFailureRow, key)
        if row is not None and row.blocked_until is not None and row.blocked_until > now:
            ends[key] = row.blocked_until
    return ends


def longest_wait(ends: dict[str, datetime], now: datetime) -> timedelta:
    return max((end - now for end in ends.values()), default=timedelta(0))


def _wait_after(failures: int, free: int) -> timedelta | None:
    if failures <= free:
        return None
    doublings = min(failures - free - 1, 20)
    wait: timedelta = min(FIRST_WAIT * (2**doublings), LONGEST_WAIT)
    return wait


def _locked(session: Session, key: str, now: datetime) -> SignInFailureRow:
    """The row of ``key``, made if missing (two first attempts at once both count), locked until
    the transaction ends (PostgreSQL row lock; SQLite's write lock)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(SignInFailureRow)
        .values(key=key, failures=0, last_failure_at=now, blocked_until=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.get(SignInFailureRow, key, with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def begin_attempt(
    session: Session, keys: dict[str, int], now: datetime
) -> tuple[timedelta, dict[str, datetime]]:
    """Before a password is checked: under the keys' locks, either the wait still to run (the
    attempt is refused and nothing is counted), or zero, and the attempt is counted as a failure
    under every key at once, to be taken back by :func:`succeeded`. Also returns the keys that
    now make later attempts wait, with the end of each wait.

    Counting before the check is what makes the limit hold against parallel guesses: each one
    sees the others' counts, so a burst gets no more checks than the free failures allow.
    ``keys`` maps each key to the failures it may have before attempts must wait.
    """
    rows = [(_locked(session, key, now), keys[key]) for key in sorted(keys)]

    def ends() -> dict[str, datetime]:
        return {
            row.key: row.blocked_until
            for row, _ in rows
            if row.blocked_until is not None and row.blocked_until > now
        }

    already = ends()
    if already:
        return longest_wait(already, now), already
    for row, free in rows:
        if row.failures and now - row.last_failure_at > FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = _wait_after(row.failures, free)
        row.blocked_until = now + wait if wait is not None else None
    session.flush()
    return timedelta(0), ends()


def succeeded(
    session: Session, account: str, address: str, address_free: int, now: datetime
) -> None:
    """The password was right: the account's count is cleared, the address's attempt taken back
    (the address keeps its earlier failures, so one good account cannot wipe them)."""
    clear(session, account)
    row = _locked(session, address, now)
    row.failures = max(0, row.failures - 1)
    if row.failures <= address_free:
        row.blocked_until = None
    session.flush()


def clear(session: Session, key: str) -> None:
    session.execute(delete(SignInFailureRow).where(SignInFailureRow.key == key))
