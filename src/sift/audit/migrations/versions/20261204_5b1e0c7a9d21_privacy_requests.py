"""privacy requests

Revision ID: 5b1e0c7a9d21
Revises: a5d1e0c0a001
Create Date: 2026-12-04 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5b1e0c7a9d21"
down_revision: str | None = "a5d1e0c0a001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "privacy_requests",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("org_id", sa.Uuid(), nullable=True),
        sa.Column("services", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("archive_key", sa.String(length=1024), nullable=True),
        sa.Column("archive_sha256", sa.String(length=64), nullable=True),
        sa.Column("archive_size", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("kind IN ('export', 'erasure')", name=op.f("ck_privacy_requests_kind")),
        sa.CheckConstraint(
            "status IN ('pending', 'ready', 'done', 'failed')",
            name=op.f("ck_privacy_requests_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_requests")),
        schema="audit",
    )
    op.create_index("ix_privacy_requests_user_id", "privacy_requests", ["user_id"], schema="audit")
    op.create_index(
        "uq_privacy_requests_running_erasure",
        "privacy_requests",
        ["user_id"],
        unique=True,
        schema="audit",
        postgresql_where=sa.text("kind = 'erasure' AND status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_privacy_requests_running_erasure", table_name="privacy_requests", schema="audit"
    )
    op.drop_index("ix_privacy_requests_user_id", table_name="privacy_requests", schema="audit")
    op.drop_table("privacy_requests", schema="audit")
