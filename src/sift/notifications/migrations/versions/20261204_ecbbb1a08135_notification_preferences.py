"""notification preferences, quiet hours and digests

Per-user preferences become the one place that says which mail a user switched off: the
one-click unsubscribe rows of `email_opt_outs` move into them (e-mail off for the type;
the digest's link: for every type the digest carries), and the old table goes.

Revision ID: ecbbb1a08135
Revises: ef2f081196d8
Create Date: 2026-12-04 14:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ecbbb1a08135"
down_revision: str | None = "b7c3a91e5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("in_app", sa.Boolean(), nullable=False),
        sa.Column("email", sa.Boolean(), nullable=False),
        sa.Column("sms", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("user_id", "type", name=op.f("pk_notification_preferences")),
        schema="notifications",
    )
    op.create_table(
        "recipient_settings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=8), server_default="off", nullable=False),
        sa.Column("digest_period", sa.String(length=16), nullable=True),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_recipient_settings")),
        schema="notifications",
    )
    op.add_column(
        "notifications", sa.Column("digest_id", sa.Uuid(), nullable=True), schema="notifications"
    )
    op.create_index(
        "ix_notifications_digest_pending",
        "notifications",
        ["user_id"],
        unique=False,
        schema="notifications",
        postgresql_where=sa.text("channel = 'digest' AND digest_id IS NULL"),
    )
    op.add_column(
        "deliveries",
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        schema="notifications",
    )
    # Mail kind -> preference type, as `preferences.types` maps them (the digest: its types).
    op.execute("""
        INSERT INTO notifications.notification_preferences
            (user_id, type, in_app, email, sms, updated_at)
        SELECT DISTINCT ON (o.user_id, m.type) o.user_id, m.type, true, false, false, o.created_at
        FROM notifications.email_opt_outs o
        JOIN (VALUES ('document_indexed', 'document_indexed'),
                     ('document_failed', 'document_index_failed'),
                     ('saved_search_matched', 'saved_search_matched'),
                     ('digest', 'document_indexed'),
                     ('digest', 'saved_search_matched')) AS m(kind, type) ON m.kind = o.kind
        ORDER BY o.user_id, m.type, o.created_at
        """)
    op.drop_table("email_opt_outs", schema="notifications")


def downgrade() -> None:
    op.create_table(
        "email_opt_outs",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_email_opt_outs")),
        schema="notifications",
    )
    op.execute("""
        INSERT INTO notifications.email_opt_outs (user_id, kind, created_at)
        SELECT DISTINCT ON (p.user_id, m.kind) p.user_id, m.kind, p.updated_at
        FROM notifications.notification_preferences p
        JOIN (VALUES ('document_indexed', 'document_indexed'),
                     ('document_failed', 'document_index_failed'),
                     ('saved_search_matched', 'saved_search_matched'),
                     ('digest', 'document_indexed'),
                     ('digest', 'saved_search_matched')) AS m(kind, type) ON m.type = p.type AND m.kind <> 'digest'
        WHERE NOT p.email
        """)
    op.drop_column("deliveries", "not_before", schema="notifications")
    op.drop_index(
        "ix_notifications_digest_pending",
        table_name="notifications",
        schema="notifications",
        postgresql_where=sa.text("channel = 'digest' AND digest_id IS NULL"),
    )
    op.drop_column("notifications", "digest_id", schema="notifications")
    op.drop_table("recipient_settings", schema="notifications")
    op.drop_table("notification_preferences", schema="notifications")
