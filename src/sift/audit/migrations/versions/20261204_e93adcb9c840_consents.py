"""consents: every choice of a person (analytics cookies, product e-mail), appended

Revision ID: e93adcb9c840
Revises: 5b1e0c7a9d21
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e93adcb9c840"
down_revision: str | None = "5b1e0c7a9d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consents",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("kind IN ('analytics', 'product_email')", name=op.f("ck_consents_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
        schema="audit",
    )
    op.create_index(
        "ix_consents_user_kind_at", "consents", ["user_id", "kind", "at"], schema="audit"
    )


def downgrade() -> None:
    op.drop_index("ix_consents_user_kind_at", table_name="consents", schema="audit")
    op.drop_table("consents", schema="audit")
