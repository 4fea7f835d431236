"""pii redaction: a collection's `redact_pii` and a version's redaction counts

Revision ID: c07d11aa3a75
Revises: 949f2edf920c
Create Date: 2026-12-04 21:50:00

`collections.redact_pii`: the collection's texts are indexed with their e-mail addresses,
phone numbers, IBANs, card numbers and IP addresses replaced by placeholders, as the
documents service's events tell it. `documents_index.redactions`: {kind: count} of what the
last indexing of a version replaced (NULL: not redacted).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c07d11aa3a75"
down_revision: str | tuple[str, ...] | None = "949f2edf920c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "collections",
        sa.Column("redact_pii", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema="search",
    )
    op.add_column(
        "documents_index",
        sa.Column("redactions", postgresql.JSONB()),
        schema="search",
    )


def downgrade() -> None:
    op.drop_column("documents_index", "redactions", schema="search")
    op.drop_column("collections", "redact_pii", schema="search")
