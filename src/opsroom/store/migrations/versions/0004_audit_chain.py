"""Audit log chained by SHA-256 and need-to-know on intelligence.

The audit log gets ``seq``, ``prev_hash`` and ``hash`` (existing rows are chained in ``id`` order),
a one-row ``audit_head`` and triggers refusing INSERT OR REPLACE (SQLite) and TRUNCATE
(PostgreSQL). Watchlist entries are keyed by (owner agency, id); alerts refer to that key, get a
random public id and the agency that ran the screening; comments on alerts get a table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 22:50:00
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from opsroom.ops.audit import GENESIS, chain
from opsroom.store.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT_FIELDS = (
    "username",
    "agency_id",
    "role",
    "action",
    "object_type",
    "object_id",
    "client",
    "reason",
)


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    _chain_audit_log()
    _namespace_watchlist()
    op.create_table(
        "screening_alert_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["screening_alerts.id"],
            name=op.f("fk_screening_alert_comments_alert_id_screening_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_alert_comments")),
    )
    with op.batch_alter_table("screening_alert_comments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_alert_comments_alert_id"), ["alert_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("screening_alert_comments")
    _unnamespace_watchlist()
    _unchain_audit_log()


# --- the audit chain -------------------------------------------------------------------------


def _chain_audit_log() -> None:
    _drop_audit_triggers()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("at", UTCDateTime()),
        *(sa.column(name, sa.Text()) for name in _AUDIT_FIELDS),
        sa.column("seq", sa.Integer()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(log.c.id, log.c.at, *(log.c[name] for name in _AUDIT_FIELDS)).order_by(log.c.id)
    ).mappings()
    ids = []
    fields = []
    for row in rows:
        ids.append(row["id"])
        fields.append({key: row[key] for key in ("at", *_AUDIT_FIELDS)})
    last = {"seq": 0, "hash": GENESIS}
    for row_id, linked in zip(ids, chain(fields), strict=True):
        bind.execute(
            log.update()
            .where(log.c.id == row_id)
            .values(seq=linked["seq"], prev_hash=linked["prev_hash"], hash=linked["hash"])
        )
        last = {"seq": linked["seq"], "hash": linked["hash"]}
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, **last}])
    _create_audit_triggers()


def _create_audit_triggers() -> None:
    """UPDATE, DELETE and TRUNCATE refused on the log; its head only moves forward."""
    if _postgresql():
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        op.execute(
            """
            CREATE FUNCTION audit_head_forward() RETURNS trigger AS $$
            BEGIN
                IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq < OLD.seq THEN
                    RAISE EXCEPTION 'audit_head only moves forward';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION audit_head_forward()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_forward()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
        # INSERT OR REPLACE would delete the row it collides with, without a DELETE trigger.
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id OR seq = NEW.seq) "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head "
            "WHEN NEW.seq < OLD.seq OR NEW.id <> OLD.id "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_single BEFORE INSERT ON audit_head "
            "WHEN EXISTS (SELECT 1 FROM audit_head) "
            "BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END"
        )


def _drop_audit_triggers() -> None:
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    else:
        for name in ("audit_log_no_update", "audit_log_no_delete", "audit_log_no_replace"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _unchain_audit_log() -> None:
    _drop_audit_triggers()
    if _postgresql():
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward()")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    # The triggers of revision 0002.
    if _postgresql():
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


# --- need-to-know on intelligence --------------------------------------------------------------


def _namespace_watchlist() -> None:
    """Entries keyed by (owner_agency, id); alerts with a public id and their screening agency."""
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("screening_agency", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_owner", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    alerts = sa.table(
        "screening_alerts",
        sa.column("id", sa.Integer()),
        sa.column("entry_id", sa.String()),
        sa.column("created_by", sa.String()),
        sa.column("public_id", sa.String()),
        sa.column("screening_agency", sa.String()),
        sa.column("entry_owner", sa.String()),
    )
    entries = sa.table(
        "watchlist_entries", sa.column("id", sa.String()), sa.column("owner_agency", sa.String())
    )
    users = sa.table(
        "users", sa.column("username", sa.String()), sa.column("agency_id", sa.String())
    )
    owners = {
        row.id: row.owner_agency
        for row in bind.execute(sa.select(entries.c.id, entries.c.owner_agency))
    }
    agencies = {
        row.username: row.agency_id
        for row in bind.execute(sa.select(users.c.username, users.c.agency_id))
    }
    existing = bind.execute(sa.select(alerts.c.id, alerts.c.entry_id, alerts.c.created_by)).all()
    for alert_id, entry_id, created_by in existing:
        owner = owners[entry_id]
        bind.execute(
            alerts.update()
            .where(alerts.c.id == alert_id)
            .values(
                public_id=secrets.token_urlsafe(16),
                # Before this revision only the creator's user told the screening agency.
                screening_agency=agencies.get(created_by, owner),
                entry_owner=owner,
            )
        )
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.drop_constraint(
            "fk_screening_alerts_entry_id_watchlist_entries", type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_screening_alerts_entry_id"))
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.drop_constraint("pk_watchlist_entries", type_="primary")
        batch_op.create_primary_key("pk_watchlist_entries", ["owner_agency", "id"])
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        for name, length in (("public_id", 32), ("screening_agency", 64), ("entry_owner", 64)):
            batch_op.alter_column(name, existing_type=sa.String(length=length), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_screening_alerts_public_id"), ["public_id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_screening_alerts_entry_owner_watchlist_entries"),
            "watchlist_entries",
            ["entry_owner", "entry_id"],
            ["owner_agency", "id"],
        )
        batch_op.create_index("ix_screening_alerts_entry", ["entry_owner", "entry_id"])


def _unnamespace_watchlist() -> None:
    """Back to entries keyed by id alone: fails if two agencies have come to use the same id."""
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_alerts_entry")
        batch_op.drop_constraint(
            batch_op.f("fk_screening_alerts_entry_owner_watchlist_entries"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_screening_alerts_public_id"), type_="unique")
    with op.batch_alter_table("watchlist_entries", schema=None) as batch_op:
        batch_op.drop_constraint("pk_watchlist_entries", type_="primary")
        batch_op.create_primary_key("pk_watchlist_entries", ["id"])
    with op.batch_alter_table("screening_alerts", schema=None) as batch_op:
        batch_op.drop_column("entry_owner")
        batch_op.drop_column("screening_agency")
        batch_op.drop_column("public_id")
        batch_op.create_foreign_key(
            "fk_screening_alerts_entry_id_watchlist_entries",
            "watchlist_entries",
            ["entry_id"],
            ["id"],
        )
        batch_op.create_index(batch_op.f("ix_screening_alerts_entry_id"), ["entry_id"])
