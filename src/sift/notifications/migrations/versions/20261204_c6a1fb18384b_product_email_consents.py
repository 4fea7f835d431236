"""product e-mail consents: each person's latest choice, from `consent.changed`

Revision ID: c6a1fb18384b
Revises: 5d1e8a7c3f90
Create Date: 2026-12-04 21:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c6a1fb18384b"
down_revision: str | None = "5d1e8a7c3f90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_email_consents",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_product_email_consents")),
        schema="notifications",
    )


def downgrade() -> None:
    op.drop_table("product_email_consents", schema="notifications")
