"""chunk context: each chunk's header (document title, section heading) as a title field

Revision ID: b6a6c0de0001
Revises: b2a2c0de0002, b3a3c0de0001, b5a5c0de0001
Create Date: 2026-11-26 03:30:00

`chunks.context` holds the header; the full-text vector becomes
`setweight(to_tsvector(context), 'A') || to_tsvector(text)`, and the postings count an
occurrence in the header TITLE_WEIGHT times (BM25F-style: tf and the chunk's length are
weighted sums over the two fields), so that every chunk of a document matches its title.
The triggers stay the only writers of the postings.

Existing chunks take their context from what is known (the document's title in the access
projection and the chunk's heading); their versions are marked for re-embedding (the
embedded text now starts with the header), which the scheduled `search.reembed_stale`
check picks up. The postings and statistics are rebuilt.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b6a6c0de0001"
down_revision: str | tuple[str, ...] | None = ("b2a2c0de0002", "b3a3c0de0001", "b5a5c0de0001")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A title term counts twice a body term: the usual order of magnitude of BM25F title
# boosts (set a priori, not tuned on any judgments).
TITLE_WEIGHT = 2

NEW_TSV = (
    "setweight(to_tsvector(text_search_config, coalesce(context, '')), 'A')"
    " || to_tsvector(text_search_config, text)"
)
OLD_TSV = "to_tsvector(text_search_config, text)"


def term_frequency(alias: str, weight: int) -> str:
    """Occurrences of one unnested lexeme, those in the header (weight A) `weight` times."""
    positions = f"coalesce(array_length({alias}.positions, 1), 1)"
    if weight == 1:
        return positions
    titles = f"coalesce(array_length(array_positions({alias}.weights, 'A'), 1), 0)"
    return f"({positions} + {weight - 1} * {titles})"


def chunk_length(alias: str, weight: int) -> str:
    frequency = term_frequency("u", weight)
    return f"(SELECT coalesce(sum({frequency}), 0) FROM unnest({alias}.tsv) u)"  # noqa: S608


def add_postings(source: str, weight: int) -> str:
    """Postings and stats of the chunks `source` yields (as `n`)."""
    length = chunk_length("n", weight)
    return f"""
    WITH chunk AS MATERIALIZED (  -- each chunk's length once, not once per lexeme
        SELECT n.id, n.org_id, n.collection_id, n.tsv, {length}::int AS dl FROM {source}
    )
    INSERT INTO search.postings (chunk_id, lexeme, org_id, collection_id, tf, dl)
    SELECT c.id, t.lexeme, c.org_id, c.collection_id,
           least({term_frequency('t', weight)}, 32767), c.dl
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


def remove_postings(source: str, weight: int) -> str:
    """Removes the postings and stats of the chunks `source` yields (as `o`)."""
    length = chunk_length("o", weight)
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


CHANGED_OLD = """(SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) o"""
CHANGED_NEW = """(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (o.org_id, o.collection_id, o.text_search_config, o.tsv)
    IS DISTINCT FROM (n.org_id, n.collection_id, n.text_search_config, n.tsv)) n"""


def functions(weight: int) -> list[str]:
    return [
        f"""
CREATE OR REPLACE FUNCTION search.postings_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{add_postings("new_rows n", weight)}
    RETURN NULL;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION search.postings_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings("old_rows o", weight)}
    RETURN NULL;
END $$""",
        f"""
CREATE OR REPLACE FUNCTION search.postings_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{remove_postings(CHANGED_OLD, weight)}
{add_postings(CHANGED_NEW, weight)}
    RETURN NULL;
END $$""",
    ]


# What ingestion's chunk_context computes, for chunks written before this revision: the
# title (unless it is only the document's ID), then the heading unless it repeats it.
_TITLE = "nullif(nullif(regexp_replace(btrim(d.title), '\\s+', ' ', 'g'), ''), d.document_id::text)"
_HEADING = "nullif(regexp_replace(btrim(c.heading), '\\s+', ' ', 'g'), '')"
FILL_CONTEXT = f"""
UPDATE search.chunks c
SET context = left(CASE
        WHEN {_TITLE} IS NULL THEN {_HEADING}
        WHEN {_HEADING} IS NULL OR lower({_HEADING}) = lower({_TITLE}) THEN {_TITLE}
        ELSE {_TITLE} || ' — ' || {_HEADING}
    END, 1000)
FROM search.documents d
WHERE d.document_id = c.document_id AND d.org_id = c.org_id
"""  # noqa: S608 - built from the constants of this file
FILL_CONTEXT_WITHOUT_TITLE = (
    f"UPDATE search.chunks c SET context = left({_HEADING}, 1000)"  # noqa: S608
    " WHERE c.context IS NULL"
)
# Their vectors were made from the text alone: re-embedded with the header.
MARK_FOR_REEMBEDDING = """
UPDATE search.documents_index i SET embedding_model = NULL
WHERE i.status = 'indexed' AND EXISTS (
    SELECT 1 FROM search.chunks c WHERE c.version_id = i.version_id AND c.context IS NOT NULL
)
"""


def replace_tsv(expression: str) -> None:
    # A table rewrite, which fires no row trigger: the postings are rebuilt afterwards.
    op.drop_index("ix_chunks_tsv", table_name="chunks", schema="search", postgresql_using="gin")
    op.drop_column("chunks", "tsv", schema="search")
    op.add_column(
        "chunks",
        sa.Column(
            "tsv",
            postgresql.TSVECTOR(),
            sa.Computed(expression, persisted=True),
            nullable=True,
        ),
        schema="search",
    )
    op.create_index(
        "ix_chunks_tsv", "chunks", ["tsv"], unique=False, schema="search", postgresql_using="gin"
    )


def rebuild_postings(weight: int) -> None:
    for statement in functions(weight):
        op.execute(statement)
    op.execute("TRUNCATE search.postings, search.collection_term_stats")
    for statement in add_postings("search.chunks n", weight).split(";"):
        if statement.strip():
            op.execute(statement)


def upgrade() -> None:
    op.add_column("chunks", sa.Column("context", sa.Text(), nullable=True), schema="search")
    # The postings are rebuilt as a whole below: no need for the trigger's row-by-row work.
    op.execute("ALTER TABLE search.chunks DISABLE TRIGGER chunks_postings_update")
    op.execute(FILL_CONTEXT)
    op.execute(FILL_CONTEXT_WITHOUT_TITLE)
    op.execute("ALTER TABLE search.chunks ENABLE TRIGGER chunks_postings_update")
    replace_tsv(NEW_TSV)
    op.execute(MARK_FOR_REEMBEDDING)
    rebuild_postings(TITLE_WEIGHT)


def downgrade() -> None:
    replace_tsv(OLD_TSV)
    op.drop_column("chunks", "context", schema="search")
    rebuild_postings(1)
