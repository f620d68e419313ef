"""Event times: the server's time of receipt beside an event's own time.

Incidents, their timeline entries and screening alerts carry the time the event happened (given
by the client, e.g. a replay) in their existing columns; ``received_at`` keeps the server's clock.
Rows written before this revision get their event time, which was the server's clock then.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 23:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = {"incidents": "created_at", "incident_events": "at", "screening_alerts": "created_at"}
"""Each table and the column of its event time, which ``received_at`` copies for older rows."""


def upgrade() -> None:
    # Added in place on SQLite too (recreate="never"): copying a table, as batch mode otherwise
    # does, would drop a table that others refer to (incident events, alert comments).
    for table, event_column in _TABLES.items():
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(sa.text(f"UPDATE {table} SET received_at = {event_column}"))


def downgrade() -> None:
    # In place as well (ALTER TABLE ... DROP COLUMN, SQLite 3.35 and later).
    for table in reversed(list(_TABLES)):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("received_at")
