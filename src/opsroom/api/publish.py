"""What goes on the live stream, and who may receive it."""

from __future__ import annotations

from typing import Any

from opsroom.ops.events import Event, EventBus
from opsroom.ops.identity import Principal
from opsroom.ops.intel import without_person
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
    bus: EventBus, data: dict[str, Any], shared_with: frozenset[str], *, screening_agency: str
) -> None:
    """Only analysts and commanders of the agencies the alert's entry is shared with: ``data``,
    with the screened person, to the screening agency; the same without the person to the
    others (even when the screening agency owns the entry)."""

    def allowed(principal: Any) -> bool:
        return (
            isinstance(principal, Principal)
            and principal.can(Permission.READ_INTELLIGENCE)
            and ("*" in shared_with or principal.agency_id in shared_with)
        )

    def screened(principal: Any) -> bool:
        return allowed(principal) and principal.agency_id == screening_agency

    def others(principal: Any) -> bool:
        return allowed(principal) and principal.agency_id != screening_agency

    redacted = without_person(data)
    bus.publish(Event(kind="screening_alert", data=data, audience=screened, intelligence=True))
    bus.publish(Event(kind="screening_alert", data=redacted, audience=others, intelligence=True))
