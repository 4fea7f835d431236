"""evaluations: stored retrieval evaluation runs

Revision ID: b5a5c0de0001
Revises: 3a69730513a4
Create Date: 2026-11-26 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b5a5c0de0001"
down_revision: str | None = "3a69730513a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("collection_ids", postgresql.ARRAY(sa.Uuid()), nullable=True),
        sa.Column("modes", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("case_count", sa.Integer(), nullable=False),
        sa.Column("metrics", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("ignored_judgments", sa.Integer(), nullable=False),
        sa.Column("skipped_cases", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluations")),
        schema="search",
    )
    op.create_index(
        "ix_evaluations_org_created",
        "evaluations",
        ["org_id", "created_at"],
        unique=False,
        schema="search",
    )


def downgrade() -> None:
    op.drop_index("ix_evaluations_org_created", table_name="evaluations", schema="search")
    op.drop_table("evaluations", schema="search")
