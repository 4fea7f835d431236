"""org settings: an organization's defaults for its documents (`redact_pii_default`)

Revision ID: d0c5e7711a01
Revises: 52cc600d6213
Create Date: 2026-12-05 00:30:00

`documents.org_settings`: one row per organization once an admin sets a default; a
collection created without `redact_pii` takes `redact_pii_default` (no row: off).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d0c5e7711a01"
down_revision: str | None = "52cc600d6213"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_settings",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("redact_pii_default", sa.Boolean(), nullable=False, server_default=sa.false()),
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
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_settings")),
        schema="documents",
    )


def downgrade() -> None:
    op.drop_table("org_settings", schema="documents")
