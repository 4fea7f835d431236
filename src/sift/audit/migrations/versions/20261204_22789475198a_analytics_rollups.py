"""analytics roll-ups: counters, active users, query uses, document sizes, back-fills

Revision ID: 22789475198a
Revises: e93adcb9c840
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "22789475198a"
down_revision: str | None = "e93adcb9c840"
branch_labels = None
depends_on = None

SCHEMA = "audit"


def upgrade() -> None:
    op.create_table(
        "analytics_counters",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("span", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "span", "bucket", "metric", "key", name=op.f("pk_analytics_counters")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "analytics_active_users",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("span", sa.String(length=4), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "span", "bucket", "pseudonym", name=op.f("pk_analytics_active_users")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "analytics_queries",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column("searches", sa.BigInteger(), nullable=False),
        sa.Column("zero_results", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "day", "query", "pseudonym", name=op.f("pk_analytics_queries")
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_analytics_queries_org_day", "analytics_queries", ["org_id", "day"], schema=SCHEMA
    )
    op.create_table(
        "analytics_document_sizes",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "document_id", name=op.f("pk_analytics_document_sizes")),
        schema=SCHEMA,
    )
    op.create_table(
        "analytics_backfills",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column(
            "finished_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_backfills")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("analytics_backfills", schema=SCHEMA)
    op.drop_table("analytics_document_sizes", schema=SCHEMA)
    op.drop_index("ix_analytics_queries_org_day", table_name="analytics_queries", schema=SCHEMA)
    op.drop_table("analytics_queries", schema=SCHEMA)
    op.drop_table("analytics_active_users", schema=SCHEMA)
    op.drop_table("analytics_counters", schema=SCHEMA)
