"""Privacy requests of kind `organization_erasure`, one running per organization

Revision ID: 8b0728d434c3
Revises: ad86a90e3554
Create Date: 2026-12-04 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8b0728d434c3"
down_revision: str | None = "ad86a90e3554"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "privacy_requests",
        "kind",
        type_=sa.String(length=32),
        existing_nullable=False,
        schema="audit",
    )
    op.drop_constraint(
        op.f("ck_privacy_requests_kind"), "privacy_requests", type_="check", schema="audit"
    )
    op.create_check_constraint(
        op.f("ck_privacy_requests_kind"),
        "privacy_requests",
        "kind IN ('export', 'erasure', 'organization_erasure')",
        schema="audit",
    )
    op.create_index(
        "uq_privacy_requests_running_organization_erasure",
        "privacy_requests",
        ["org_id"],
        unique=True,
        postgresql_where=sa.text("kind = 'organization_erasure' AND status = 'pending'"),
        schema="audit",
    )


def downgrade() -> None:
    op.drop_index(
        "uq_privacy_requests_running_organization_erasure",
        table_name="privacy_requests",
        schema="audit",
    )
    op.drop_constraint(
        op.f("ck_privacy_requests_kind"), "privacy_requests", type_="check", schema="audit"
    )
    op.create_check_constraint(
        op.f("ck_privacy_requests_kind"),
        "privacy_requests",
        "kind IN ('export', 'erasure')",
        schema="audit",
    )
    op.alter_column(
        "privacy_requests",
        "kind",
        type_=sa.String(length=16),
        existing_nullable=False,
        schema="audit",
    )
