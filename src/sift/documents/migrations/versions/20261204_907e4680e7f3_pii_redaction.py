"""pii redaction: a collection's `redact_pii` and a document's redaction counts

Revision ID: 907e4680e7f3
Revises: 5d2f8e61a0c7
Create Date: 2026-12-04 21:50:00

`collections.redact_pii` (default off): search indexes the collection's texts with their
PII replaced by placeholders. `documents.redactions`: {kind: count} of what the indexing of
the current version replaced, as search reports it (NULL: not redacted).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "907e4680e7f3"
down_revision: str | None = "5d2f8e61a0c7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "collections",
        sa.Column("redact_pii", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema="documents",
    )
    op.add_column("documents", sa.Column("redactions", postgresql.JSONB()), schema="documents")


def downgrade() -> None:
    op.drop_column("documents", "redactions", schema="documents")
    op.drop_column("collections", "redact_pii", schema="documents")
