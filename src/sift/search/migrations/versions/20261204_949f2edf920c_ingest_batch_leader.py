"""ingest batches: the version whose task claimed a version for its batch

Revision ID: 949f2edf920c
Revises: c4e1a9d27b35
Create Date: 2026-12-04 21:10:00

An ingest task indexes its own version together with other queued ones (ingestion/batch.py,
docs/adr/0009-ingest-batches.md). `claimed_by` names the version whose task holds a version
in its batch: that task's redelivery takes it up again, and the version's own task leaves
it alone meanwhile.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "949f2edf920c"
down_revision: str | tuple[str, ...] | None = "c4e1a9d27b35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "documents_index", sa.Column("claimed_by", sa.Uuid(), nullable=True), schema="search"
    )
    op.create_index(
        "ix_documents_index_queue",
        "documents_index",
        ["queued_at"],
        schema="search",
        postgresql_where=sa.text("status = 'queued'"),
    )


def downgrade() -> None:
    op.drop_index("ix_documents_index_queue", table_name="documents_index", schema="search")
    op.drop_column("documents_index", "claimed_by", schema="search")
