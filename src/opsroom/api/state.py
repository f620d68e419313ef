"""What the application holds for its lifetime, handed to routes through dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio
from argon2 import PasswordHasher

from opsroom.api.metrics import Metrics
from opsroom.config import Settings
from opsroom.ops.events import EventBus
from opsroom.ops.identity import Clock
from opsroom.ops.status import VenueMonitor
from opsroom.scenario import Scenario
from opsroom.store import Database


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
    hash_waiting: int = 0
    """Sign-ins waiting for, or running, a password check."""
    throttles_audited: set[tuple[str, str, str]] = field(default_factory=set)
    """(username, address, end of the wait) of refused sign-ins already written to the audit
    log: one entry per wait, not per attempt."""
    last_nowcast: dict[str, float] = field(default_factory=dict)
    """Monotonic time of each venue's last nowcast sent on the live stream."""
