"""email feedback: suppressions, the address book, delivery address and facts

Revision ID: b7c3a91e5d20
Revises: ef2f081196d8
Create Date: 2026-12-04 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b7c3a91e5d20"
down_revision: str | None = "ef2f081196d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "deliveries",
        sa.Column("address", sa.String(length=320), nullable=True),
        schema="notifications",
    )
    op.add_column(
        "deliveries",
        sa.Column("facts", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="notifications",
    )
    op.create_index(
        "ix_deliveries_provider_message",
        "deliveries",
        ["provider", "provider_message_id"],
        unique=False,
        schema="notifications",
    )
    op.create_table(
        "email_suppressions",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_email_suppressions")),
        schema="notifications",
    )
    op.create_table(
        "email_addresses",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_email_addresses")),
        schema="notifications",
    )


def downgrade() -> None:
    op.drop_table("email_addresses", schema="notifications")
    op.drop_table("email_suppressions", schema="notifications")
    op.drop_index("ix_deliveries_provider_message", table_name="deliveries", schema="notifications")
    op.drop_column("deliveries", "facts", schema="notifications")
    op.drop_column("deliveries", "address", schema="notifications")
