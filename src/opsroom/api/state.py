"""What the application holds for its lifetime, handed to routes through dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    last_nowcast: dict[str, float] = field(default_factory=dict)
    """Monotonic time of each venue's last nowcast sent on the live stream."""
