"""bm25 pruning: document frequencies per collection and impact-ordered postings

Revision ID: b7a7c0de0001
Revises: b6a6c0de0001
Create Date: 2026-11-26 06:30:00

A natural-language query used to read every posting of its lexemes to count their document
frequencies and score every chunk holding any of them: ~40,000 postings for a five-word
question at 100,000 chunks. Two structures let it read a bounded number instead:

- `collection_lexemes` keeps each lexeme's document frequency per collection (in chunks),
  so IDF is a few index lookups instead of a count over the postings;
- `postings.impact` is the lexeme's BM25 term weight without IDF, at a reference chunk
  length, and the scoring index is ordered by it, so a query can read the best postings of
  each lexeme first (`sift.search.retrieval.bm25`).

`ix_chunks_id_scope` lets the ranked chunks' documents be read from an index alone.

The triggers keep `collection_lexemes` with the postings. Each writer locks its
collection's statistics row before any of the collection's lexeme rows, so two writers of
one collection queue on that row and never deadlock on lexemes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7a7c0de0001"
down_revision: str | tuple[str, ...] | None = "b6a6c0de0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The weight of BM25 with the default k1 = 0.9, b = 0.4 at a chunk length of 100 lexemes.
# It orders the postings only: scores use the configured k1, b and the real average length.
IMPACT = "(tf::real / (tf::real + 0.9 * (0.6 + 0.4 * dl::real / 100.0)))"

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
    INSERT INTO search.collection_lexemes AS f (org_id, lexeme, collection_id, chunk_count)
    SELECT n.org_id, t.lexeme, n.collection_id, count(*)
    FROM {source}
    CROSS JOIN LATERAL unnest(n.tsv) t
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (org_id, lexeme, collection_id) DO UPDATE
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
        SELECT o.org_id, t.lexeme, o.collection_id, count(*) AS chunks
        FROM {source}
        CROSS JOIN LATERAL unnest(o.tsv) t
        GROUP BY 1, 2, 3
    ) gone
    WHERE f.org_id = gone.org_id AND f.lexeme = gone.lexeme
      AND f.collection_id = gone.collection_id;
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
    """
CREATE OR REPLACE FUNCTION search.postings_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.postings, search.collection_term_stats, search.collection_lexemes;
    RETURN NULL;
END $$""",
]


def upgrade() -> None:
    op.create_table(
        "collection_lexemes",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("lexeme", sa.Text(), nullable=False),
        sa.Column("collection_id", sa.Uuid(), nullable=False),
        sa.Column("chunk_count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "org_id", "lexeme", "collection_id", name=op.f("pk_collection_lexemes")
        ),
        schema="search",
    )
    op.execute(
        "INSERT INTO search.collection_lexemes (org_id, lexeme, collection_id, chunk_count)"
        " SELECT org_id, lexeme, collection_id, count(*) FROM search.postings GROUP BY 1, 2, 3"
    )
    op.add_column(
        "postings",
        sa.Column("impact", sa.REAL(), sa.Computed(IMPACT, persisted=True), nullable=True),
        schema="search",
    )
    op.drop_index("ix_postings_org_lexeme", table_name="postings", schema="search")
    op.create_index(
        "ix_postings_org_lexeme_impact",
        "postings",
        ["org_id", "lexeme", sa.text("impact DESC")],
        unique=False,
        schema="search",
        postgresql_include=["collection_id", "chunk_id", "tf", "dl"],
    )
    for statement in FUNCTIONS:
        op.execute(statement)
    # Ranked chunk IDs → their documents, within the scope, from the index alone.
    op.create_index(
        "ix_chunks_id_scope",
        "chunks",
        ["id"],
        unique=False,
        schema="search",
        postgresql_include=["org_id", "collection_id", "document_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_chunks_id_scope", table_name="chunks", schema="search")
    # The previous functions did not know collection_lexemes: put theirs back first.
    from importlib import import_module

    previous = import_module("sift.search.migrations.versions.20261126_b6a6c0de0001_chunk_context")
    for statement in previous.functions(previous.TITLE_WEIGHT):
        op.execute(statement)
    op.execute("""
CREATE OR REPLACE FUNCTION search.postings_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search.postings, search.collection_term_stats;
    RETURN NULL;
END $$""")
    op.drop_index("ix_postings_org_lexeme_impact", table_name="postings", schema="search")
    op.create_index(
        "ix_postings_org_lexeme",
        "postings",
        ["org_id", "lexeme"],
        unique=False,
        schema="search",
        postgresql_include=["collection_id", "chunk_id", "tf", "dl"],
    )
    op.drop_column("postings", "impact", schema="search")
    op.drop_table("collection_lexemes", schema="search")
