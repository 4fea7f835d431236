"""MFA settings, recovery codes, phone numbers, SMS codes, API keys

Revision ID: e1a2b3c4d5f6
Revises: 7b77237ee413
Create Date: 2026-11-25 22:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e1a2b3c4d5f6"
down_revision: str | None = "7b77237ee413"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
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
    ]


def _user_fk(
    table: str, column: str = "user_id", ondelete: str = "CASCADE"
) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["identity.users.id"], name=op.f(f"fk_{table}_{column}_users"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "mfa_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("totp_secret_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("totp_last_step", sa.BigInteger(), nullable=True),
        sa.Column("sms_enabled_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _user_fk("mfa_settings"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_mfa_settings")),
        schema="identity",
    )
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _user_fk("mfa_recovery_codes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
        schema="identity",
    )
    op.create_index(
        "ix_mfa_recovery_codes_user_id", "mfa_recovery_codes", ["user_id"], schema="identity"
    )
    op.create_table(
        "user_phones",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("phone_verified_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        _user_fk("user_phones"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_phones")),
        schema="identity",
    )
    op.create_table(
        "sms_codes",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("phone_number", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('phone_verification', 'sign_in')", name=op.f("ck_sms_codes_purpose")
        ),
        _user_fk("sms_codes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_codes")),
        schema="identity",
    )
    op.create_index("ix_sms_codes_user_id", "sms_codes", ["user_id"], schema="identity")
    op.create_table(
        "api_keys",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("permissions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["identity.organizations.id"],
            name=op.f("fk_api_keys_org_id_organizations"),
            ondelete="CASCADE",
        ),
        _user_fk("api_keys", "created_by"),
        _user_fk("api_keys", "revoked_by", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
        schema="identity",
    )
    op.create_index("ix_api_keys_org_id", "api_keys", ["org_id"], schema="identity")


def downgrade() -> None:
    op.drop_index("ix_api_keys_org_id", table_name="api_keys", schema="identity")
    op.drop_table("api_keys", schema="identity")
    op.drop_index("ix_sms_codes_user_id", table_name="sms_codes", schema="identity")
    op.drop_table("sms_codes", schema="identity")
    op.drop_table("user_phones", schema="identity")
    op.drop_index(
        "ix_mfa_recovery_codes_user_id", table_name="mfa_recovery_codes", schema="identity"
    )
    op.drop_table("mfa_recovery_codes", schema="identity")
    op.drop_table("mfa_settings", schema="identity")
