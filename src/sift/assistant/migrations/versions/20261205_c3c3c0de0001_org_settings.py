"""org settings: an organization's default AI provider and monthly answer quota

Revision ID: c3c3c0de0001
Revises: c2c2c0de0001
Create Date: 2026-12-05 00:40:00

`assistant.org_settings`: one row per organization once an admin sets something.
`default_provider` is tried first (NULL: the installation's order); `monthly_answer_quota`
caps the organization's AI requests per calendar month, UTC (NULL: no cap).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3c3c0de0001"
down_revision: str | None = "c2c2c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "assistant"


def upgrade() -> None:
    op.create_table(
        "org_settings",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("default_provider", sa.String(32), nullable=True),
        sa.Column("monthly_answer_quota", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "monthly_answer_quota IS NULL OR monthly_answer_quota >= 0",
            name=op.f("ck_org_settings_monthly_answer_quota"),
        ),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_settings")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("org_settings", schema=SCHEMA)
