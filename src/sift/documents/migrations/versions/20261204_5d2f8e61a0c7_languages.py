"""languages: a collection's language and a document's language set by its uploader

Revision ID: 5d2f8e61a0c7
Revises: 731387d62260
Create Date: 2026-12-04 21:20:00

`collections.language`: the language of the collection's texts too short for language
detection (NULL: the organization's default). `documents.language_override`: the language
an uploader set; the document is indexed in it whatever detection says (NULL: detect).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2f8e61a0c7"
down_revision: str | None = "731387d62260"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("collections", sa.Column("language", sa.String(8)), schema="documents")
    op.add_column("documents", sa.Column("language_override", sa.String(8)), schema="documents")


def downgrade() -> None:
    op.drop_column("documents", "language_override", schema="documents")
    op.drop_column("collections", "language", schema="documents")
