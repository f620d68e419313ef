"""Field operations: units owned by agencies, gate accounts bound to venues.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 22:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Gate accounts are bound to the venues they may post scans for; existing users get none.
    # The column is added in place on SQLite too (recreate="never"): copying the table, as batch
    # mode otherwise does, would drop a table that access tokens refer to.
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("venues", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    # In place as well (ALTER TABLE ... DROP COLUMN, SQLite 3.35 and later).
    with op.batch_alter_table("users", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("venues")
