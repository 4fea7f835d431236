"""conversations.api_key_id: the API key that started a conversation

Revision ID: c2c2c0de0001
Revises: c1c1c0de0001
Create Date: 2026-12-04 02:00:00

Conversations stored before this revision do not say which key started them: they stay
NULL, so no key sees them, and their creator's sessions still do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2c2c0de0001"
down_revision: str | None = "c1c1c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "assistant"


def upgrade() -> None:
    op.add_column("conversations", sa.Column("api_key_id", sa.Uuid(), nullable=True), schema=SCHEMA)
    op.create_index(
        "ix_conversations_api_key_updated",
        "conversations",
        ["api_key_id", "updated_at", "id"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("api_key_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_conversations_api_key_updated", table_name="conversations", schema=SCHEMA)
    op.drop_column("conversations", "api_key_id", schema=SCHEMA)
