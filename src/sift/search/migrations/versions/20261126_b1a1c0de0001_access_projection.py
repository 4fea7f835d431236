"""access projection (collections, grants, documents), saved searches, query log

Revision ID: b1a1c0de0001
Revises: 3a69730513a4
Create Date: 2026-11-26 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b1a1c0de0001"
down_revision: str | None = "3a69730513a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "search"
NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("members_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("collection_id", name=op.f("pk_collections")),
        schema=SCHEMA,
    )
    op.create_index("ix_collections_org_id", "collections", ["org_id"], unique=False, schema=SCHEMA)
    op.create_table(
        "collection_grants",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("collection_id", "user_id", name=op.f("pk_collection_grants")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_collection_grants_user", "collection_grants", ["user_id"], unique=False, schema=SCHEMA
    )
    op.create_table(
        "documents",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("mime_type", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_documents")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_documents_org_collection",
        "documents",
        ["org_id", "collection_id"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_index(
        "ix_documents_tags",
        "documents",
        ["tags"],
        unique=False,
        schema=SCHEMA,
        postgresql_using="gin",
    )
    op.create_table(
        "access_tombstones",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_access_tombstones")),
        schema=SCHEMA,
    )
    op.create_table(
        "org_index_versions",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("org_id", name=op.f("pk_org_index_versions")),
        schema=SCHEMA,
    )
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("owner_role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("filters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("org_id", "user_id", "name", name="uq_saved_searches_owner_name"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_saved_searches_notify",
        "saved_searches",
        ["org_id"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("notify"),
    )
    op.create_table(
        "saved_search_matches",
        sa.Column("saved_search_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            [f"{SCHEMA}.saved_searches.id"],
            name=op.f("fk_saved_search_matches_saved_search_id_saved_searches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "saved_search_id", "version_id", name=op.f("pk_saved_search_matches")
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "query_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("zero_result", sa.Boolean(), nullable=False),
        sa.Column("took_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_log")),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_query_log_org_created", "query_log", ["org_id", "created_at"], schema=SCHEMA
    )
    op.create_index("ix_query_log_created", "query_log", ["created_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_query_log_created", table_name="query_log", schema=SCHEMA)
    op.drop_index("ix_query_log_org_created", table_name="query_log", schema=SCHEMA)
    op.drop_table("query_log", schema=SCHEMA)
    op.drop_table("saved_search_matches", schema=SCHEMA)
    op.drop_index(
        "ix_saved_searches_notify",
        table_name="saved_searches",
        schema=SCHEMA,
        postgresql_where=sa.text("notify"),
    )
    op.drop_table("saved_searches", schema=SCHEMA)
    op.drop_table("org_index_versions", schema=SCHEMA)
    op.drop_table("access_tombstones", schema=SCHEMA)
    op.drop_index(
        "ix_documents_tags", table_name="documents", schema=SCHEMA, postgresql_using="gin"
    )
    op.drop_index("ix_documents_org_collection", table_name="documents", schema=SCHEMA)
    op.drop_table("documents", schema=SCHEMA)
    op.drop_index("ix_collection_grants_user", table_name="collection_grants", schema=SCHEMA)
    op.drop_table("collection_grants", schema=SCHEMA)
    op.drop_index("ix_collections_org_id", table_name="collections", schema=SCHEMA)
    op.drop_table("collections", schema=SCHEMA)
