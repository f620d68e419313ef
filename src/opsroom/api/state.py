"""What the application holds for its lifetime, handed to routes through dependencies."""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import anyio
from argon2 import PasswordHasher

from opsroom.api.metrics import Metrics
from opsroom.config import Settings
from opsroom.ops.events import EventBus
from opsroom.ops.identity import Clock
from opsroom.ops.status import VenueMonitor
from opsroom.scenario import Scenario
from opsroom.store import Database


def _lowest_priority() -> None:
    """Give the calling thread the lowest CPU priority (nice 19), where the system allows it.

    On Linux a thread's id names it to setpriority, so only this thread is lowered: while gate
    scans want the CPU, password checks wait; when nothing else runs, they get a whole core.
    """
    # Where the system does not allow it, the checks run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


def password_threads(count: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(
        max_workers=count, thread_name_prefix="password-check", initializer=_lowest_priority
    )


@dataclass
class AppState:
    settings: Settings
    database: Database
    scenario: Scenario
    monitor: VenueMonitor
    bus: EventBus
    metrics: Metrics
    clock: Clock
    hasher: PasswordHasher
    hash_limiter: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(1))
    """Password checks that may run at once (``Settings.password_hash_concurrency``)."""
    sign_in_db: anyio.CapacityLimiter = field(default_factory=lambda: anyio.CapacityLimiter(2))
    """Sign-ins' database steps that may run at once (the rest wait on the event loop)."""
    hash_waiting: int = 0
    """Sign-ins waiting for, or running, a password check."""
    hashers: ThreadPoolExecutor = field(default_factory=lambda: password_threads(1))
    """The threads that check passwords, at the lowest CPU priority."""
    next_hash_at: float = 0.0
    """Monotonic time before which no new password check starts (the pacing of checks)."""
    sign_in_blocks: dict[str, datetime] = field(default_factory=dict)
    """Sign-in keys (account, address) known to wait, with the end of each wait."""
    _throttles_audited: set[tuple[str, str, datetime]] = field(default_factory=set)
    """(username, address, end of the wait) of refused sign-ins already written to the audit
    log: one entry per wait, not per attempt."""
    last_nowcast: dict[str, float] = field(default_factory=dict)
    """Monotonic time of each venue's last nowcast sent on the live stream."""

    def first_refusal_of(self, username: str, client: str, end: datetime) -> bool:
        """Whether this refused sign-in is the first of its wait (account name, address, end of
        the wait), which alone is written to the audit log. The memory of waits is bounded."""
        seen = (username[:64], client, end.replace(microsecond=0))
        if seen in self._throttles_audited:
            return False
        if len(self._throttles_audited) >= 10_000:
            self._throttles_audited.clear()
        self._throttles_audited.add(seen)
        return True
