"""audit log: append-only, hash-chained entries per organization; people's keys

Revision ID: a5d1e0c0a001
Revises: d29ba980a5a4
Create Date: 2026-12-04 17:45:00

Updates, deletes and TRUNCATE of `audit.entries` are refused twice: by triggers, which
bind every role but a superuser who disables them, and by privileges, revoked from
everyone including the table's owner (the role the services connect as), so that a
service cannot change an entry even if the triggers were gone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a5d1e0c0a001"
down_revision: str | None = "d29ba980a5a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("producer", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("target_type", sa.String(length=50), nullable=True),
        sa.Column("target_id", sa.String(length=200), nullable=True),
        sa.Column("ip", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        schema="audit",
    )
    op.create_index(
        "uq_entries_org_seq",
        "entries",
        ["org_id", "seq"],
        unique=True,
        schema="audit",
        postgresql_nulls_not_distinct=True,
    )
    op.create_index("ix_entries_org_actor", "entries", ["org_id", "actor", "seq"], schema="audit")
    op.create_index("ix_entries_org_action", "entries", ["org_id", "action", "seq"], schema="audit")
    op.create_index(
        "ix_entries_org_target",
        "entries",
        ["org_id", "target_type", "target_id", "seq"],
        schema="audit",
    )
    op.create_index("ix_entries_org_occurred", "entries", ["org_id", "occurred_at"], schema="audit")
    op.create_table(
        "person_keys",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("secret", sa.LargeBinary(length=32), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=320), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_person_keys")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_person_keys_pseudonym")),
        schema="audit",
    )
    op.create_table(
        "forgotten_people",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column(
            "forgotten_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_forgotten_people")),
        schema="audit",
    )
    op.execute("""
CREATE FUNCTION audit.refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$""")
    op.execute("""CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON audit.entries
    FOR EACH ROW EXECUTE FUNCTION audit.refuse_entry_change()""")
    op.execute("""CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON audit.entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_entry_change()""")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit.entries FROM PUBLIC")
    op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit.entries FROM CURRENT_USER")


def downgrade() -> None:
    op.drop_table("entries", schema="audit")  # its triggers go with it
    op.execute("DROP FUNCTION audit.refuse_entry_change()")
    op.drop_table("forgotten_people", schema="audit")
    op.drop_table("person_keys", schema="audit")
