"""ingestion: index state per document version, chunks with tsvector and embedding

Revision ID: 3a69730513a4
Revises: a7628b334671
Create Date: 2026-11-25 21:53:24.163730
"""

from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3a69730513a4"
down_revision: str | None = "a7628b334671"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # pgvector ships with the embedded PostgreSQL and with any supported managed one.
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table(
        "documents_index",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("file_type", sa.String(length=16), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("char_count", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=True),
        sa.Column("keywords", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_dimension", sa.Integer(), nullable=True),
        sa.Column("steps", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_documents_index")),
        schema="search",
    )
    op.create_index(
        "ix_documents_index_document",
        "documents_index",
        ["document_id"],
        unique=False,
        schema="search",
    )
    op.create_index(
        "ix_documents_index_org_collection",
        "documents_index",
        ["org_id", "collection_id"],
        unique=False,
        schema="search",
    )
    op.create_table(
        "chunks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("heading", sa.String(length=500), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("token_count", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column(
            "text_search_config",
            postgresql.REGCONFIG(),
            server_default=sa.text("'simple'::regconfig"),
            nullable=False,
        ),
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector(text_search_config, text)", persisted=True),
            nullable=False,
        ),
        sa.Column("embedding", pgvector.sqlalchemy.VECTOR(dim=384), nullable=False),
        sa.Column("embedding_model", sa.String(length=200), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["search.documents_index.version_id"],
            name=op.f("fk_chunks_version_id_documents_index"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chunks")),
        sa.UniqueConstraint("version_id", "ordinal", name="uq_chunks_version_ordinal"),
        schema="search",
    )
    op.create_index(
        "ix_chunks_document_version",
        "chunks",
        ["document_id", "version_id"],
        unique=False,
        schema="search",
    )
    op.create_index(
        "ix_chunks_embedding",
        "chunks",
        ["embedding"],
        unique=False,
        schema="search",
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(
        "ix_chunks_org_collection",
        "chunks",
        ["org_id", "collection_id"],
        unique=False,
        schema="search",
    )
    op.create_index(
        "ix_chunks_tsv", "chunks", ["tsv"], unique=False, schema="search", postgresql_using="gin"
    )


def downgrade() -> None:
    op.drop_index("ix_chunks_tsv", table_name="chunks", schema="search", postgresql_using="gin")
    op.drop_index("ix_chunks_org_collection", table_name="chunks", schema="search")
    op.drop_index(
        "ix_chunks_embedding",
        table_name="chunks",
        schema="search",
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.drop_index("ix_chunks_document_version", table_name="chunks", schema="search")
    op.drop_table("chunks", schema="search")
    op.drop_index(
        "ix_documents_index_org_collection", table_name="documents_index", schema="search"
    )
    op.drop_index("ix_documents_index_document", table_name="documents_index", schema="search")
    op.drop_table("documents_index", schema="search")
