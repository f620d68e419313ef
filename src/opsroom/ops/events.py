"""The in-process event bus behind the live stream.

Services publish after their transaction commits; each subscriber (one per open stream) has a
bounded queue and a filter saying what its user may see. Events carry no global number: each
stream numbers what it sends itself, so a reader cannot count the events it was not sent. A
subscriber too slow to keep up loses its oldest events rather than slowing the publishers. One
process serves one bus; spreading events over several processes is the job of a broker (NATS
JetStream), not of this module.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

QUEUE_LIMIT = 1_000


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: str
    data: dict[str, Any]
    audience: Callable[[Any], bool] = field(default=lambda _principal: True, compare=False)
    """Given a principal, whether it may receive the event."""
    intelligence: bool = False
    """Whether the event carries intelligence: a stream checks its reader's token and user again
    before it sends one."""


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]
    accepts: Callable[[Event], bool]


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[int, _Subscriber] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def subscribe(self, accepts: Callable[[Event], bool]) -> tuple[int, asyncio.Queue[Event]]:
        """Register a subscriber on the running event loop; returns its id and queue."""
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        with self._lock:
            subscriber_id = next(self._ids)
            self._subscribers[subscriber_id] = _Subscriber(
                loop=asyncio.get_running_loop(), queue=queue, accepts=accepts
            )
        return subscriber_id, queue

    def unsubscribe(self, subscriber_id: int) -> None:
        with self._lock:
            self._subscribers.pop(subscriber_id, None)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    def publish(self, event: Event) -> None:
        """Hand ``event`` to every subscriber allowed to see it; safe from any thread."""
        with self._lock:
            targets = [s for s in self._subscribers.values() if s.accepts(event)]
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, event)
            except RuntimeError:  # the subscriber's loop has closed
                continue


def _offer(queue: asyncio.Queue[Event], item: Event) -> None:
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(item)
