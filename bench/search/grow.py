"""Growing a benchmark index to a given size from really ingested chunks (a shortcut).

Embedding 100,000 chunks on this machine (~35 chunks/s when it is quiet, a few per second
when it is shared) would take hours, so the index is grown from the chunks that went
through the real ingestion path. Plain copies would make every document appear tens of
times: each query's top 200 would be a handful of texts, each many times over, which
flatters BM25's pruning and makes HNSW see tight clusters. So each new chunk is *spliced*:
the first half (in words) of one random ingested chunk followed by the second half of
another, with the normalized sum of their two vectors. The vocabulary and its frequency
distribution stay the corpus' own; texts, scores and vectors are all distinct. New chunks
come two to a new document (the first one's metadata), in a collection of their own.

Everything is written by INSERT … SELECT, one statement per table and batch; the BM25
postings and statistics are written by the `chunks` table's own statement-level triggers,
exactly as for ingested rows, and checked afterwards. The HNSW index is dropped for the
copy and built again from its own definition (as after any bulk load): kept, it is updated
one row at a time and the copy crawls (~40 chunks/s).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg

VECTOR_INDEX = "ix_chunks_embedding"
BATCH = 10_000  # chunks per transaction

_BASE = """
CREATE TEMP TABLE base AS
SELECT row_number() OVER (ORDER BY c.id) AS i, c.*,
       regexp_split_to_array(btrim(c.text), '\\s+') AS words
FROM search.chunks c
JOIN search.documents_index di ON di.version_id = c.version_id
WHERE c.collection_id = %(source)s AND di.status = 'indexed' AND c.embedding IS NOT NULL;
CREATE UNIQUE INDEX ON base (i);
ANALYZE base
"""

_BATCH = """
CREATE TEMP TABLE pairs ON COMMIT DROP AS
SELECT g AS j, gen_random_uuid() AS id,
       1 + floor(random() * %(base)s)::int AS a, 1 + floor(random() * %(base)s)::int AS b
FROM generate_series(1, %(chunks)s) g;

CREATE TEMP TABLE docs ON COMMIT DROP AS
SELECT (p.j + 1) / 2 AS d, gen_random_uuid() AS version_id, gen_random_uuid() AS document_id,
       min(p.a) FILTER (WHERE p.j %% 2 = 1) AS a, count(*) AS chunks
FROM pairs p GROUP BY 1;

INSERT INTO search.documents_index (
    version_id, document_id, org_id, collection_id, status, storage_key, content_type,
    filename, announced_at, attempts, file_type, language, page_count, char_count,
    chunk_count, keywords, embedding_model, embedding_dimension, steps, queued_at,
    started_at, finished_at)
SELECT d.version_id, d.document_id, di.org_id, %(target)s, di.status, di.storage_key,
       di.content_type, di.filename, di.announced_at, di.attempts, di.file_type, di.language,
       di.page_count, di.char_count, d.chunks, di.keywords, di.embedding_model,
       di.embedding_dimension, di.steps, di.queued_at, di.started_at, di.finished_at
FROM docs d JOIN base b ON b.i = d.a JOIN search.documents_index di ON di.version_id = b.version_id;

INSERT INTO search.documents (
    document_id, org_id, collection_id, title, tags, mime_type, created_at, updated_at,
    version_at)
SELECT dd.document_id, d.org_id, %(target)s, d.title, d.tags, d.mime_type, d.created_at,
       d.updated_at, d.version_at
FROM docs dd JOIN base b ON b.i = dd.a JOIN search.documents d ON d.document_id = b.document_id;

INSERT INTO search.chunks (
    {columns}, id, collection_id, document_id, version_id, ordinal, text, embedding)
SELECT {a_columns}, p.id, %(target)s, d.document_id, d.version_id, (p.j + 1) %% 2,
       array_to_string(a.words[1:cardinality(a.words) / 2]
                       || b.words[cardinality(b.words) / 2 + 1:], ' '),
       l2_normalize(a.embedding + b.embedding)
FROM pairs p
JOIN docs d ON d.d = (p.j + 1) / 2
JOIN base a ON a.i = p.a
JOIN base b ON b.i = p.b
"""

# Set by the splice itself; generated columns (tsv) are computed by PostgreSQL.
_SET = {"id", "collection_id", "document_id", "version_id", "ordinal", "text", "embedding"}

_CHECK = """
SELECT
    (SELECT count(*) FROM search.chunks WHERE collection_id = %(c)s) AS chunks,
    (SELECT coalesce(sum(chunk_count), 0) FROM search.collection_term_stats
     WHERE collection_id = %(c)s) AS stat_chunks,
    (SELECT coalesce(sum(total_length), 0) FROM search.collection_term_stats
     WHERE collection_id = %(c)s) AS stat_length,
    (SELECT coalesce(sum(dl), 0) FROM (SELECT DISTINCT chunk_id, dl FROM search.postings
                                       WHERE collection_id = %(c)s) x) AS postings_length,
    (SELECT count(*) FROM search.chunks c
     WHERE c.collection_id = %(c)s AND length(c.tsv) <> (
         SELECT count(*) FROM search.postings p WHERE p.chunk_id = c.id)) AS mismatched,
    (SELECT count(*) FROM (
         SELECT lexeme, count(*) AS n FROM search.postings WHERE collection_id = %(c)s
         GROUP BY lexeme) p
     FULL JOIN (SELECT lexeme, sum(chunk_count) AS n FROM search.collection_lexemes
                WHERE collection_id = %(c)s GROUP BY lexeme
                HAVING sum(chunk_count) > 0) f USING (lexeme)
     WHERE p.n IS DISTINCT FROM f.n) AS mismatched_frequencies
"""


def _columns(connection: psycopg.Connection[Any]) -> list[str]:
    """The chunk columns taken from the first chunk as they are (a later migration's too)."""
    rows = connection.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'search' AND table_name = 'chunks'"
        " AND is_generated = 'NEVER' ORDER BY ordinal_position"
    ).fetchall()
    return [str(name) for (name,) in rows if name not in _SET]


def _count(connection: psycopg.Connection[Any], org_id: str) -> int:
    row = connection.execute(
        "SELECT count(*) FROM search.chunks WHERE org_id = %s", (org_id,)
    ).fetchone()
    return int(row[0]) if row else 0


def check(connection: psycopg.Connection[Any], collections: list[str]) -> dict[str, Any]:
    """What the triggers keep holds for every collection: the statistics count exactly its
    chunks and their lengths (as the postings have them), every chunk has one posting per
    lexeme of its tsvector, and each lexeme's document frequency is its number of postings."""
    checked: dict[str, Any] = {}
    for collection in collections:
        row = connection.execute(_CHECK, {"c": collection}).fetchone()
        assert row is not None
        chunks, stat_chunks, stat_length, postings_length, mismatched, frequencies = row
        if (chunks, stat_length, mismatched, frequencies) != (
            stat_chunks,
            postings_length,
            0,
            0,
        ):
            raise AssertionError(
                f"collection {collection}: {chunks} chunks, statistics {stat_chunks} chunks of"
                f" length {stat_length}, postings length {postings_length}, {mismatched}"
                f" chunks whose postings do not match their lexemes, {frequencies} lexemes"
                " whose document frequency does not match the postings"
            )
        checked[collection] = {"chunks": int(chunks), "length": int(stat_length)}
    return checked


def grow_index(
    database_url: str,
    org_id: str,
    source: str,
    target: str,
    chunks: int,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Splices chunks of `source` into `target` until the organization holds `chunks`."""
    started = time.perf_counter()
    batches = 0
    built_s = 0.0
    with psycopg.connect(database_url, autocommit=True) as connection:
        before = total = _count(connection, org_id)
        if total < chunks:
            columns = _columns(connection)
            statement = _BATCH.format(
                columns=", ".join(columns), a_columns=", ".join(f"a.{c}" for c in columns)
            )
            for part in _BASE.split(";\n"):
                connection.execute(part, {"source": source})
            base_row = connection.execute("SELECT count(*) FROM base").fetchone()
            base = int(base_row[0]) if base_row else 0
            if base < 2:
                raise RuntimeError("too few indexed chunks to grow from")
            definition = connection.execute(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'search' AND indexname = %s",
                (VECTOR_INDEX,),
            ).fetchone()
            if definition is None:
                raise RuntimeError(f"no index {VECTOR_INDEX} to build again")
            connection.execute(f"DROP INDEX search.{VECTOR_INDEX}")
            try:
                while total < chunks:
                    size = min(BATCH, chunks - total)
                    size += size % 2  # two chunks a document
                    t0 = time.perf_counter()
                    with connection.transaction():
                        params = {"source": source, "target": target, "base": base}
                        for part in statement.split(";\n\n"):
                            connection.execute(part, params | {"chunks": size})
                    batches += 1
                    total = _count(connection, org_id)
                    log(
                        f"batch {batches}: {total:,} chunks in the organization"
                        f" ({size / (time.perf_counter() - t0):.0f} chunks/s)"
                    )
            finally:
                t0 = time.perf_counter()
                log("building the HNSW index again")
                connection.execute("SET maintenance_work_mem = '1GB'")
                connection.execute(str(definition[0]))
                built_s = time.perf_counter() - t0
                log(f"HNSW index built in {built_s:.0f} s")
        # The org's index version moves on, as after any indexing: no stale cached result.
        connection.execute(
            "UPDATE search.org_index_versions SET version = version + 1 WHERE org_id = %s",
            (org_id,),
        )
        for table in ("chunks", "postings", "collection_lexemes", "documents_index", "documents"):
            connection.execute(f"VACUUM ANALYZE search.{table}")
        checked = check(connection, [source, target])
        postings = connection.execute("SELECT count(*) FROM search.postings").fetchone()
    return {
        "before": before,
        "after": total,
        "batches": batches,
        "seconds": time.perf_counter() - started,
        "index_build_s": built_s,
        "postings": int(postings[0]) if postings else 0,
        "check": checked,
    }
