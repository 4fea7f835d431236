"""bm25: postings and per-collection length statistics, kept by triggers on chunks

Revision ID: b2a2c0de0001
Revises: 3a69730513a4
Create Date: 2026-11-26 00:00:00

Triggers rather than application code: every statement that writes chunks (ingestion's
replace/delete, the cascade from documents_index, a collection move, TRUNCATE in tests)
keeps the postings in the same transaction, whichever code path issued it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b2a2c0de0001"
down_revision: str | None = "3a69730513a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# tf: positions of the lexeme in the chunk; dl: all positions (the chunk's length after
# stop words). Stats rows are written in key order so concurrent writers cannot deadlock.
CHUNK_LENGTH = "(SELECT coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)"
CHUNK_LENGTH += " FROM unnest({alias}.tsv) u)"


def add_postings(source: str) -> str:
    """Postings and stats of the chunks `source` yields (as `n`)."""
    length = CHUNK_LENGTH.format(alias="n")
    return f"""
    WITH chunk AS MATERIALIZED (  -- each chunk's length once, not once per lexeme
        SELECT n.id, n.org_id, n.collection_id, n.tsv, {length}::int AS dl FROM {source}
    )
    INSERT INTO search.postings (chunk_id, lexeme, org_id, collection_id, tf, dl)
    SELECT c.id, t.lexeme, c.org_id, c.collection_id,
           least(coalesce(array_length(t.positions, 1), 1), 32767), c.dl
    FROM chunk c
    CROSS JOIN LATERAL unnest(c.tsv) t;
    INSERT INTO search.collection_term_stats AS s
        (org_id, collection_id, text_search_config, chunk_count, total_length)
    SELECT n.org_id, n.collection_id, n.text_search_config, count(*), coalesce(sum({length}), 0)
    FROM {source}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (org_id, collection_id, text_search_config) DO UPDATE
    SET chunk_count = s.chunk_count + excluded.chunk_count,
        total_length = s.total_length + excluded.total_length;
"""  # noqa: S608 - built from the constants of this file


def remove_postings(source: str) -> str:
    """Removes the postings and stats of the chunks `source` yields (as `o`)."""
    length = CHUNK_LENGTH.format(alias="o")
    return f"""
    DELETE FROM search.postings p WHERE p.chunk_id IN (SELECT o.id FROM {source});
    UPDATE search.collection_term_stats s
    SET chunk_count = greatest(s.chunk_count - gone.chunks, 0),
        total_length = greatest(s.total_length - gone.length, 0)
    FROM (
        SELECT o.org_id, o.collection_id, o.text_search_config, count(*) AS chunks,
               coalesce(sum({length}), 0) AS length
        FROM {source}
        GROUP BY 1, 2, 3
        ORDER BY 1, 2, 3
    ) gone
    WHERE s.org_id = gone.org_id AND s.collection_id = gone.collection_id
      AND s.text_search_config = gone.text_search_config;
"""  # noqa: S608 - built from the constants of this file


# An update matters only when the text, place or configuration changed (not the embedding).
CHANGED_OLD = """(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) o"""
CHANGED_NEW = """(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) n"""

STATEMENTS = [
    f"""
CREATE FUNCTION search.postings_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{add_postings("new_rows n")}
    RETURN NULL;
END $$""",
    f"""
CREATE FUNCTION search.postings_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings("old_rows o")}
    RETURN NULL;
END $$""",
    f"""
CREATE FUNCTION search.postings_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings(CHANGED_OLD)}
{add_postings(CHANGED_NEW)}
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION search.postings_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.postings, search.collection_term_stats;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER chunks_postings_insert AFTER INSERT ON search.chunks
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search.postings_add()""",
    """
CREATE TRIGGER chunks_postings_delete AFTER DELETE ON search.chunks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search.postings_remove()""",
    """
CREATE TRIGGER chunks_postings_update AFTER UPDATE ON search.chunks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search.postings_change()""",
    """
CREATE TRIGGER chunks_postings_truncate AFTER TRUNCATE ON search.chunks
    FOR EACH STATEMENT EXECUTE FUNCTION search.postings_truncate()""",
]


def upgrade() -> None:
    op.create_table(
        "postings",
        sa.Column("chunk_id", sa.Uuid(), nullable=False),
        sa.Column("lexeme", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("tf", sa.SmallInteger(), nullable=False),
        sa.Column("dl", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chunk_id", "lexeme", name=op.f("pk_postings")),
        schema="search",
    )
    op.create_index(
        "ix_postings_org_lexeme",
        "postings",
        ["org_id", "lexeme"],
        unique=False,
        schema="search",
        postgresql_include=["collection_id", "chunk_id", "tf", "dl"],
    )
    op.create_table(
        "collection_term_stats",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("text_search_config", postgresql.REGCONFIG(), nullable=False),
        sa.Column("chunk_count", sa.BigInteger(), nullable=False),
        sa.Column("total_length", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id",
            "collection_id",
            "text_search_config",
            name=op.f("pk_collection_term_stats"),
        ),
        schema="search",
    )
    for statement in STATEMENTS:
        op.execute(statement)
    # Chunks written before this revision get their postings now (one statement at a time).
    for statement in add_postings("search.chunks n").split(";"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for trigger in ("insert", "delete", "update", "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS chunks_postings_{trigger} ON search.chunks")
    for function in ("add", "remove", "change", "truncate"):
        op.execute(f"DROP FUNCTION IF EXISTS search.postings_{function}()")
    op.drop_table("collection_term_stats", schema="search")
    op.drop_index("ix_postings_org_lexeme", table_name="postings", schema="search")
    op.drop_table("postings", schema="search")
