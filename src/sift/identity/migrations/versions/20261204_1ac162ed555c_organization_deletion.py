"""Organization deletion: an organization being deleted is hidden until identity removes it

Revision ID: 1ac162ed555c
Revises: f7e8d9c0b1a2
Create Date: 2026-12-04 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1ac162ed555c"
down_revision: str | None = "f7e8d9c0b1a2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "organizations",
        sa.Column("deletion_request_id", sa.Uuid(), nullable=True),
        schema="identity",
    )
    op.add_column(
        "organizations",
        sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=True),
        schema="identity",
    )


def downgrade() -> None:
    op.drop_column("organizations", "deletion_requested_at", schema="identity")
    op.drop_column("organizations", "deletion_request_id", schema="identity")
