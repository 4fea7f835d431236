"""drop originals: a collection's `keep_original_files` and a version's `original_dropped_at`

Revision ID: 52cc600d6213
Revises: 907e4680e7f3
Create Date: 2026-12-04 22:20:00

`collections.keep_original_files` (default on; off only with `redact_pii`): off, a
version's file leaves storage once search has indexed its redacted text.
`document_versions.original_dropped_at`: when that happened (NULL: the file is kept).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "52cc600d6213"
down_revision: str | None = "907e4680e7f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "collections",
        sa.Column("keep_original_files", sa.Boolean(), nullable=False, server_default=sa.true()),
        schema="documents",
    )
    op.create_check_constraint(
        op.f("ck_collections_keep_original_files"),
        "collections",
        "keep_original_files OR redact_pii",
        schema="documents",
    )
    op.add_column(
        "document_versions",
        sa.Column("original_dropped_at", sa.DateTime(timezone=True)),
        schema="documents",
    )


def downgrade() -> None:
    op.drop_column("document_versions", "original_dropped_at", schema="documents")
    op.drop_constraint(
        op.f("ck_collections_keep_original_files"), "collections", type_="check", schema="documents"
    )
    op.drop_column("collections", "keep_original_files", schema="documents")
