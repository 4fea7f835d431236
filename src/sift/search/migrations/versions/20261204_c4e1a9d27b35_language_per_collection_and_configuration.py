"""language: collections' and documents' languages; document frequencies per configuration

Revision ID: c4e1a9d27b35
Revises: b8a8c0de0001
Create Date: 2026-12-04 21:10:00

- `collections.language` (the collection's language, for texts too short for the detector;
  NULL: the organization's default) and `documents.language` (set by an uploader: the
  document is indexed in it whatever the detector says), as the documents service's events
  tell them.
- `collection_lexemes` is keyed by text search configuration too, so a query lexeme's
  document frequency counts only the chunks of the configurations that produced it (an
  English query's "method" no longer counts the `simple` chunks' "method"). The triggers
  keep the locking order of b7a7c0de0001: each statement takes the statistics rows of its
  (collection, configuration) pairs before any lexeme row, in key order.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c4e1a9d27b35"
down_revision: str | tuple[str, ...] | None = "b8a8c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in b6a6c0de0001: a header (weight A) occurrence counts twice.
TITLE_FREQUENCY = (
    "(coalesce(array_length({a}.positions, 1), 1)"
    " + coalesce(array_length(array_positions({a}.weights, 'A'), 1), 0))"
)


def chunk_length(alias: str) -> str:
    frequency = TITLE_FREQUENCY.format(a="u")
    return f"(SELECT coalesce(sum({frequency}), 0) FROM unnest({alias}.tsv) u)"  # noqa: S608


def add_postings(source: str) -> str:
    """Statistics, postings and lexeme frequencies of the chunks `source` yields (as `n`)."""
    length = chunk_length("n")
    return f"""
    INSERT INTO search.collection_term_stats AS s
        (org_id, collection_id, text_search_config, chunk_count, total_length)
    SELECT n.org_id, n.collection_id, n.text_search_config, count(*), coalesce(sum({length}), 0)
    FROM {source}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (org_id, collection_id, text_search_config) DO UPDATE
    SET chunk_count = s.chunk_count + excluded.chunk_count,
        total_length = s.total_length + excluded.total_length;
    WITH chunk AS MATERIALIZED (  -- each chunk's length once, not once per lexeme
        SELECT n.id, n.org_id, n.collection_id, n.tsv, {length}::int AS dl FROM {source}
    )
    INSERT INTO search.postings (chunk_id, lexeme, org_id, collection_id, tf, dl)
    SELECT c.id, t.lexeme, c.org_id, c.collection_id,
           least({TITLE_FREQUENCY.format(a="t")}, 32767), c.dl
    FROM chunk c
    CROSS JOIN LATERAL unnest(c.tsv) t;
    INSERT INTO search.collection_lexemes AS f
        (org_id, lexeme, collection_id, text_search_config, chunk_count)
    SELECT n.org_id, t.lexeme, n.collection_id, n.text_search_config, count(*)
    FROM {source}
    CROSS JOIN LATERAL unnest(n.tsv) t
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (org_id, lexeme, collection_id, text_search_config) DO UPDATE
    SET chunk_count = f.chunk_count + excluded.chunk_count;
"""  # noqa: S608 - built from the constants of this file


def remove_postings(source: str) -> str:
    """Removes the statistics, postings and lexeme frequencies of the chunks `source` yields
    (as `o`). A lexeme's row stays at 0 when its last chunk goes: a later insert reuses it."""
    length = chunk_length("o")
    return f"""
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
    DELETE FROM search.postings p WHERE p.chunk_id IN (SELECT o.id FROM {source});
    UPDATE search.collection_lexemes f
    SET chunk_count = greatest(f.chunk_count - gone.chunks, 0)
    FROM (
        SELECT o.org_id, t.lexeme, o.collection_id, o.text_search_config, count(*) AS chunks
        FROM {source}
        CROSS JOIN LATERAL unnest(o.tsv) t
        GROUP BY 1, 2, 3, 4
    ) gone
    WHERE f.org_id = gone.org_id AND f.lexeme = gone.lexeme
      AND f.collection_id = gone.collection_id
      AND f.text_search_config = gone.text_search_config;
"""  # noqa: S608 - built from the constants of this file


CHANGED_OLD = """(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) o"""
CHANGED_NEW = """(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) n"""

FUNCTIONS = [
    f"""
CREATE OR REPLACE FUNCTION search.postings_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{add_postings("new_rows n")}
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION search.postings_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings("old_rows o")}
    RETURN NULL;
END $$""",
    f"""
CREATE OR REPLACE FUNCTION search.postings_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings(CHANGED_OLD)}
{add_postings(CHANGED_NEW)}
    RETURN NULL;
END $$""",
]

RECOUNT = """
INSERT INTO search.collection_lexemes
    (org_id, lexeme, collection_id, text_search_config, chunk_count)
SELECT c.org_id, t.lexeme, c.collection_id, c.text_search_config, count(*)
FROM search.chunks c CROSS JOIN LATERAL unnest(c.tsv) t
GROUP BY 1, 2, 3, 4
"""


def upgrade() -> None:
    op.add_column("collections", sa.Column("language", sa.String(8)), schema="search")
    op.add_column("documents", sa.Column("language", sa.String(8)), schema="search")
    op.execute("LOCK TABLE search.chunks IN SHARE MODE")  # no chunk writes while recounting
    op.drop_constraint("pk_collection_lexemes", "collection_lexemes", schema="search")
    op.execute("TRUNCATE search.collection_lexemes")
    op.add_column(
        "collection_lexemes",
        sa.Column("text_search_config", postgresql.REGCONFIG(), nullable=False),
        schema="search",
    )
    op.execute(RECOUNT)
    op.create_primary_key(
        "pk_collection_lexemes",
        "collection_lexemes",
        ["org_id", "lexeme", "collection_id", "text_search_config"],
        schema="search",
    )
    for statement in FUNCTIONS:
        op.execute(statement)


def downgrade() -> None:
    from importlib import import_module

    previous = import_module("sift.search.migrations.versions.20261126_b7a7c0de0001_bm25_pruning")
    for statement in previous.FUNCTIONS:
        op.execute(statement)
    op.drop_constraint("pk_collection_lexemes", "collection_lexemes", schema="search")
    op.execute("TRUNCATE search.collection_lexemes")
    op.drop_column("collection_lexemes", "text_search_config", schema="search")
    op.execute(
        "INSERT INTO search.collection_lexemes (org_id, lexeme, collection_id, chunk_count)"
        " SELECT org_id, lexeme, collection_id, count(*) FROM search.postings GROUP BY 1, 2, 3"
    )
    op.create_primary_key(
        "pk_collection_lexemes",
        "collection_lexemes",
        ["org_id", "lexeme", "collection_id"],
        schema="search",
    )
    op.drop_column("documents", "language", schema="search")
    op.drop_column("collections", "language", schema="search")
