"""deliveries: when the message was handed to the provider

Revision ID: a7c3e91d5b20
Revises: ef2f081196d8
Create Date: 2026-12-04 14:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e91d5b20"
down_revision: str | None = "ecbbb1a08135"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "deliveries",
        sa.Column("handed_off_at", sa.DateTime(timezone=True), nullable=True),
        schema="notifications",
    )


def downgrade() -> None:
    op.drop_column("deliveries", "handed_off_at", schema="notifications")
