"""text pages: each indexed version's extracted text, page by page

Revision ID: b8a8c0de0001
Revises: b7a7c0de0001
Create Date: 2026-12-04 17:40:00

Hits and citations report the page of their passage (not of their chunk's start), and the
document viewer reads the text page by page. Versions indexed before have no rows here:
their pages are derived from their chunks when read (`sift.search.locations`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8a8c0de0001"
down_revision: str | tuple[str, ...] | None = "b7a7c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "text_pages",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["search.documents_index.version_id"],
            name=op.f("fk_text_pages_version_id_documents_index"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "seq", name=op.f("pk_text_pages")),
        schema="search",
    )


def downgrade() -> None:
    op.drop_table("text_pages", schema="search")
