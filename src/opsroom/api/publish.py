"""What goes on the live stream, and who may receive it."""

from __future__ import annotations

from typing import Any

from opsroom.ops.events import Event, EventBus
from opsroom.ops.identity import Principal
from opsroom.ops.roles import Permission


def _operations(principal: Any) -> bool:
    return isinstance(principal, Principal) and principal.can(Permission.READ_OPERATIONS)


def _state(principal: Any) -> bool:
    return isinstance(principal, Principal) and principal.can(Permission.READ_STATE)


def incident(bus: EventBus, data: dict[str, Any]) -> None:
    bus.publish(Event(kind="incident", data=data, audience=_operations))


def unit(bus: EventBus, data: dict[str, Any]) -> None:
    bus.publish(Event(kind="unit", data=data, audience=_operations))


def gate_flow(bus: EventBus, data: dict[str, Any]) -> None:
    bus.publish(Event(kind="gate_flow", data=data, audience=_state))


def crowd_alert(bus: EventBus, data: dict[str, Any]) -> None:
    bus.publish(Event(kind="crowd_alert", data=data, audience=_operations))


def screening_alert(
    bus: EventBus,
    data: dict[str, Any],
    shared_with: frozenset[str],
    *,
    redacted: dict[str, Any] | None = None,
    screening_agency: str | None = None,
) -> None:
    """Only analysts and commanders of the agencies the alert's entry is shared with.

    With ``screening_agency`` and ``redacted``, ``data`` (the screened person's details) goes to
    the screening agency alone and ``redacted`` to the others.
    """

    def allowed(principal: Any) -> bool:
        return (
            isinstance(principal, Principal)
            and principal.can(Permission.READ_INTELLIGENCE)
            and ("*" in shared_with or principal.agency_id in shared_with)
        )

    if screening_agency is None or redacted is None:
        bus.publish(Event(kind="screening_alert", data=data, audience=allowed, intelligence=True))
        return

    def screened(principal: Any) -> bool:
        return allowed(principal) and principal.agency_id == screening_agency

    def others(principal: Any) -> bool:
        return allowed(principal) and principal.agency_id != screening_agency

    bus.publish(Event(kind="screening_alert", data=data, audience=screened, intelligence=True))
    bus.publish(Event(kind="screening_alert", data=redacted, audience=others, intelligence=True))
