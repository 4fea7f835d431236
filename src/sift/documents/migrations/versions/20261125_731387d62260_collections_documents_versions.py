"""Collections, their grants, documents and their versions

Revision ID: 731387d62260
Revises: 357fff763137
Create Date: 2026-11-25 21:52:23.844991
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "731387d62260"
down_revision: str | None = "357fff763137"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collections",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
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
        sa.CheckConstraint(
            "visibility IN ('org', 'restricted')", name=op.f("ck_collections_visibility")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collections")),
        schema="documents",
    )
    op.create_index(
        "uq_collections_org_id_name",
        "collections",
        ["org_id", sa.literal_column("lower(name)")],
        unique=True,
        schema="documents",
    )
    op.create_table(
        "collection_members",
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=False),
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
        sa.CheckConstraint(
            "role IN ('viewer', 'editor', 'manager')", name=op.f("ck_collection_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["documents.collections.id"],
            name=op.f("fk_collection_members_collection_id_collections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("collection_id", "user_id", name=op.f("pk_collection_members")),
        schema="documents",
    )
    op.create_index(
        op.f("ix_documents_collection_members_user_id"),
        "collection_members",
        ["user_id"],
        unique=False,
        schema="documents",
    )
    op.create_table(
        "documents",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("current_version_id", sa.Uuid(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "status_changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_message", sa.String(length=1000), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("chunk_count", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column(
            "steps",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "tags",
            postgresql.ARRAY(sa.String(length=50)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
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
        sa.CheckConstraint(
            "status IN ('uploaded', 'processing', 'indexed', 'failed')",
            name=op.f("ck_documents_status"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_id"],
            ["documents.collections.id"],
            name=op.f("fk_documents_collection_id_collections"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        schema="documents",
    )
    op.create_index(
        "ix_documents_collection_id_id",
        "documents",
        ["collection_id", sa.literal_column("id DESC")],
        unique=False,
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_documents_deleted_at",
        "documents",
        ["deleted_at"],
        unique=False,
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.create_index(
        "ix_documents_org_id_id",
        "documents",
        ["org_id", sa.literal_column("id DESC")],
        unique=False,
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_documents_org_id_status",
        "documents",
        ["org_id", "status"],
        unique=False,
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_index(
        "ix_documents_tags",
        "documents",
        ["tags"],
        unique=False,
        schema="documents",
        postgresql_using="gin",
    )
    op.create_index(
        "uq_documents_collection_id_sha256",
        "documents",
        ["collection_id", "sha256"],
        unique=True,
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "document_versions",
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=1024), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=255), nullable=False),
        sa.Column("charset", sa.String(length=32), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_document_versions_number")),
        sa.CheckConstraint("size >= 0", name=op.f("ck_document_versions_size")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.documents.id"],
            name=op.f("fk_document_versions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_versions")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_document_versions_storage_key")),
        schema="documents",
    )
    op.create_index(
        "uq_document_versions_document_id_number",
        "document_versions",
        ["document_id", "number"],
        unique=True,
        schema="documents",
    )
    # documents <-> document_versions reference each other: the second key comes last.
    op.create_foreign_key(
        op.f("fk_documents_current_version_id_document_versions"),
        "documents",
        "document_versions",
        ["current_version_id"],
        ["id"],
        source_schema="documents",
        referent_schema="documents",
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_documents_current_version_id_document_versions"),
        "documents",
        schema="documents",
        type_="foreignkey",
    )
    op.drop_index(
        "uq_document_versions_document_id_number",
        table_name="document_versions",
        schema="documents",
    )
    op.drop_table("document_versions", schema="documents")
    op.drop_index(
        "uq_documents_collection_id_sha256",
        table_name="documents",
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(
        "ix_documents_tags", table_name="documents", schema="documents", postgresql_using="gin"
    )
    op.drop_index(
        "ix_documents_org_id_status",
        table_name="documents",
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(
        "ix_documents_org_id_id",
        table_name="documents",
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_index(
        "ix_documents_deleted_at",
        table_name="documents",
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
    )
    op.drop_index(
        "ix_documents_collection_id_id",
        table_name="documents",
        schema="documents",
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.drop_table("documents", schema="documents")
    op.drop_index(
        op.f("ix_documents_collection_members_user_id"),
        table_name="collection_members",
        schema="documents",
    )
    op.drop_table("collection_members", schema="documents")
    op.drop_index("uq_collections_org_id_name", table_name="collections", schema="documents")
    op.drop_table("collections", schema="documents")
