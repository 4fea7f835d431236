"""retention: the audit log's sanctioned purge (chain anchors), expired export requests

Revision ID: ad86a90e3554
Revises: 22789475198a
Create Date: 2026-12-04 21:00:00

Audit entries stay append-only: the trigger now lets one DELETE through, and only when all
of these hold: the transaction is inside `audit.purge_entries_through` (which sets
`sift.audit_purge`), the row lies below its chain's anchor (`audit.chain_anchors`: where
verification starts once older entries are gone), and it was recorded more than 30 days
ago. The function is SECURITY DEFINER: the privilege to delete, revoked from every role, is
granted to its owner for the function's own statement and revoked again before it returns.
It removes a prefix of one chain, never the newest entry (appends go on chaining to it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ad86a90e3554"
down_revision: str | None = "22789475198a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MIN_AGE = "30 days"  # the youngest entry the database lets anyone purge

REFUSE_ENTRY_CHANGE = """
CREATE OR REPLACE FUNCTION audit.refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
        AND current_setting('sift.audit_purge', true) = 'on'
        AND OLD.recorded_at < now() - interval '{min_age}'
        AND EXISTS (
            SELECT 1 FROM audit.chain_anchors a
            WHERE a.chain = coalesce(OLD.org_id::text, 'platform') AND OLD.seq < a.first_seq
        )
    THEN
        RETURN OLD;  -- the sanctioned purge of a chain's old prefix
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$"""

ORIGINAL_REFUSE_ENTRY_CHANGE = """
CREATE OR REPLACE FUNCTION audit.refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$"""

PURGE_FUNCTION = """
CREATE FUNCTION audit.purge_entries_through(p_org uuid, p_through bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_chain text := coalesce(p_org::text, 'platform');
    v_first bigint;
    v_last bigint;
    v_newest timestamptz;
    v_hash varchar(64);
    v_deleted bigint;
BEGIN
    SELECT first_seq INTO v_first FROM audit.chain_anchors WHERE chain = v_chain FOR UPDATE;
    v_first := coalesce(v_first, 1);
    IF p_through < v_first THEN
        RETURN 0;  -- purged already
    END IF;
    SELECT max(seq) INTO v_last FROM audit.entries
        WHERE org_id = p_org OR (p_org IS NULL AND org_id IS NULL);
    IF v_last IS NULL OR p_through >= v_last THEN
        RAISE EXCEPTION 'the newest entry of an audit chain is kept'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT max(recorded_at) INTO v_newest FROM audit.entries
        WHERE (org_id = p_org OR (p_org IS NULL AND org_id IS NULL))
          AND seq BETWEEN v_first AND p_through;
    IF v_newest IS NULL OR v_newest >= now() - interval '{min_age}' THEN
        RAISE EXCEPTION 'audit entries are kept at least {min_age}'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT hash INTO v_hash FROM audit.entries
        WHERE (org_id = p_org OR (p_org IS NULL AND org_id IS NULL)) AND seq = p_through;
    IF v_hash IS NULL THEN
        RAISE EXCEPTION 'audit chain % has no entry %', v_chain, p_through
            USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO audit.chain_anchors AS a
        (chain, org_id, first_seq, prev_hash, purged, purged_through, updated_at)
    VALUES (v_chain, p_org, p_through + 1, v_hash, 0, v_newest, now())
    ON CONFLICT (chain) DO UPDATE SET
        first_seq = EXCLUDED.first_seq,
        prev_hash = EXCLUDED.prev_hash,
        purged_through = EXCLUDED.purged_through,
        updated_at = EXCLUDED.updated_at;
    PERFORM set_config('sift.audit_purge', 'on', true);
    GRANT DELETE ON audit.entries TO CURRENT_USER;
    DELETE FROM audit.entries
        WHERE (org_id = p_org OR (p_org IS NULL AND org_id IS NULL)) AND seq <= p_through;
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    REVOKE DELETE ON audit.entries FROM CURRENT_USER;
    PERFORM set_config('sift.audit_purge', 'off', true);
    UPDATE audit.chain_anchors SET purged = purged + v_deleted WHERE chain = v_chain;
    RETURN v_deleted;
END $$"""

GUARD_ANCHOR = """
CREATE FUNCTION audit.guard_chain_anchor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.chain = OLD.chain AND NEW.first_seq >= OLD.first_seq
        AND NEW.purged >= OLD.purged
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit chain anchors only move forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$"""


def upgrade() -> None:
    op.create_table(
        "chain_anchors",
        sa.Column("chain", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=True),
        sa.Column("first_seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("purged", sa.BigInteger(), nullable=False),
        sa.Column("purged_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_chain_anchors")),
        schema="audit",
    )
    op.execute(REFUSE_ENTRY_CHANGE.format(min_age=MIN_AGE))
    op.execute(PURGE_FUNCTION.format(min_age=MIN_AGE))
    op.execute("REVOKE EXECUTE ON FUNCTION audit.purge_entries_through(uuid, bigint) FROM PUBLIC")
    op.execute(GUARD_ANCHOR)
    op.execute("""CREATE TRIGGER chain_anchors_forward BEFORE UPDATE OR DELETE
    ON audit.chain_anchors FOR EACH ROW EXECUTE FUNCTION audit.guard_chain_anchor()""")
    op.execute("""CREATE TRIGGER chain_anchors_no_truncate BEFORE TRUNCATE
    ON audit.chain_anchors FOR EACH STATEMENT EXECUTE FUNCTION audit.guard_chain_anchor()""")
    op.drop_constraint(
        op.f("ck_privacy_requests_status"), "privacy_requests", schema="audit", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_privacy_requests_status"),
        "privacy_requests",
        "status IN ('pending', 'ready', 'done', 'failed', 'expired')",
        schema="audit",
    )


def downgrade() -> None:
    op.execute("UPDATE audit.privacy_requests SET status = 'failed' WHERE status = 'expired'")
    op.drop_constraint(
        op.f("ck_privacy_requests_status"), "privacy_requests", schema="audit", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_privacy_requests_status"),
        "privacy_requests",
        "status IN ('pending', 'ready', 'done', 'failed')",
        schema="audit",
    )
    op.execute(ORIGINAL_REFUSE_ENTRY_CHANGE)
    op.execute("DROP FUNCTION audit.purge_entries_through(uuid, bigint)")
    op.drop_table("chain_anchors", schema="audit")  # its triggers go with it
    op.execute("DROP FUNCTION audit.guard_chain_anchor()")
