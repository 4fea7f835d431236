"""OAuth accounts: provider accounts linked to users for social login and OIDC

Revision ID: f7e8d9c0b1a2
Revises: 7b77237ee413
Create Date: 2026-11-25 22:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f7e8d9c0b1a2"
down_revision: str | None = "7b77237ee413"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_accounts",
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["identity.users.id"],
            name=op.f("fk_oauth_accounts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oauth_accounts")),
        schema="identity",
    )
    op.create_index(
        "ix_oauth_accounts_user_id", "oauth_accounts", ["user_id"], unique=False, schema="identity"
    )
    op.create_index(
        "uq_oauth_accounts_provider_subject",
        "oauth_accounts",
        ["provider", "subject"],
        unique=True,
        schema="identity",
    )


def downgrade() -> None:
    op.drop_index(
        "uq_oauth_accounts_provider_subject", table_name="oauth_accounts", schema="identity"
    )
    op.drop_index("ix_oauth_accounts_user_id", table_name="oauth_accounts", schema="identity")
    op.drop_table("oauth_accounts", schema="identity")
