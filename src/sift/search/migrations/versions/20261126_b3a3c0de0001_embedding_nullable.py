"""chunks.embedding may be NULL: vectors of another size than 384 live only in Pinecone

Revision ID: b3a3c0de0001
Revises: 3a69730513a4
Create Date: 2026-11-26 00:30:00

See docs/adr/0003-embedding-dimensions.md.
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
from alembic import op

revision: str = "b3a3c0de0001"
down_revision: str | None = "3a69730513a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column(
        "chunks",
        "embedding",
        existing_type=pgvector.sqlalchemy.VECTOR(dim=384),
        nullable=True,
        schema="search",
    )


def downgrade() -> None:
    # Chunks without a PostgreSQL vector cannot stay: their versions index again on demand.
    op.execute("DELETE FROM search.chunks WHERE embedding IS NULL")
    op.alter_column(
        "chunks",
        "embedding",
        existing_type=pgvector.sqlalchemy.VECTOR(dim=384),
        nullable=False,
        schema="search",
    )
