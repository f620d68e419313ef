"""Roles and what each may do. One table, read by the API's dependencies and by the dashboard."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COMMANDER = "commander"
    OPERATOR = "operator"
    ANALYST = "analyst"
    GATE = "gate"
    VIEWER = "viewer"


class Permission(StrEnum):
    READ_STATE = "read_state"  # venues, matches, venue status
    READ_OPERATIONS = "read_operations"  # incidents, units, crowd alerts
    POST_SCANS = "post_scans"
    MANAGE_INCIDENTS = "manage_incidents"  # report, update, dispatch; manage units
    READ_INTELLIGENCE = "read_intelligence"  # watchlist entries and screening alerts shared
    MANAGE_INTELLIGENCE = "manage_intelligence"  # add entries, screen people, decide on alerts
    READ_AUDIT = "read_audit"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.COMMANDER: frozenset(Permission),
    Role.OPERATOR: frozenset(
        {
            Permission.READ_STATE,
            Permission.READ_OPERATIONS,
            Permission.POST_SCANS,
            Permission.MANAGE_INCIDENTS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.READ_STATE,
            Permission.READ_OPERATIONS,
            Permission.READ_INTELLIGENCE,
            Permission.MANAGE_INTELLIGENCE,
        }
    ),
    Role.GATE: frozenset({Permission.READ_STATE, Permission.POST_SCANS}),
    Role.VIEWER: frozenset({Permission.READ_STATE, Permission.READ_OPERATIONS}),
}
"""Who may do what. Intelligence is further limited to the agencies an item is shared with."""


def permissions_of(role: Role) -> frozenset[Permission]:
    return PERMISSIONS[role]
