"""Diagnosis of a bench/retrieval index: how chunking shapes full-text ranking.

    .venv/bin/python bench/retrieval/analyze.py --workdir /tmp/bench-scifact --dataset DIR

Reads the index a `bench/retrieval/run --workdir` left (its embedded PostgreSQL only) and
scores, with the engine's BM25 formula and parameters, two document rankings from the
same postings: per chunk (a document at its best chunk, as `fulltext` mode ranks) and
per document (a document's chunks pooled: term frequencies and lengths summed, the
overlap between neighbouring chunks counted twice). It prints the chunking statistics and
both sets of metrics. This explains a result; it is not a way to pick settings (it reads
the test judgments).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import beir

from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from sift.search.config import SearchSettings
from sift.search.evaluation.metrics import evaluate

_CHUNK_LEVEL = """
WITH q AS (SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', %(query)s)) t),
terms AS (
    SELECT p.chunk_id, p.lexeme, p.tf, p.dl FROM search.postings p JOIN q USING (lexeme)
    WHERE p.collection_id = %(collection)s
),
idf AS (
    SELECT lexeme, ln(1 + (%(n)s - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM terms GROUP BY lexeme
),
scored AS (
    SELECT t.chunk_id, sum(idf.idf * t.tf * (%(k1)s + 1)
        / (t.tf + %(k1)s * (1 - %(b)s + %(b)s * t.dl / %(avgdl)s))) AS score
    FROM terms t JOIN idf USING (lexeme) GROUP BY t.chunk_id
)
SELECT c.document_id, max(s.score) AS score
FROM scored s JOIN search.chunks c ON c.id = s.chunk_id
GROUP BY c.document_id ORDER BY score DESC, c.document_id LIMIT 100
"""

_DOCUMENT_LEVEL = """
WITH q AS (SELECT DISTINCT t.lexeme FROM unnest(to_tsvector('english', %(query)s)) t),
terms AS (
    SELECT c.document_id, p.lexeme, sum(p.tf) AS tf
    FROM search.postings p JOIN q USING (lexeme) JOIN search.chunks c ON c.id = p.chunk_id
    WHERE p.collection_id = %(collection)s
    GROUP BY c.document_id, p.lexeme
),
idf AS (
    SELECT lexeme, ln(1 + (%(n)s - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM terms GROUP BY lexeme
),
scored AS (
    SELECT t.document_id, sum(idf.idf * t.tf * (%(k1)s + 1)
        / (t.tf + %(k1)s * (1 - %(b)s + %(b)s * l.dl / %(avgdl)s))) AS score
    FROM terms t JOIN idf USING (lexeme) JOIN doc_lengths l USING (document_id)
    GROUP BY t.document_id
)
SELECT document_id, score FROM scored ORDER BY score DESC, document_id LIMIT 100
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    args = parser.parse_args()
    state = json.loads((args.workdir / "stack.json").read_text())
    to_beir = {document_id: doc_id for doc_id, document_id in state["documents"].items()}
    dataset = beir.load(args.dataset)
    config = SearchSettings()
    server = EmbeddedPostgres(args.workdir / "data" / "postgres", free_port())
    server.start()
    try:
        url = f"postgresql://postgres@127.0.0.1:{server.port}/sift"
        with psycopg.connect(url, autocommit=True) as db:
            collection = state["collection_id"]
            histogram = db.execute(
                "SELECT n, count(*) FROM (SELECT document_id, count(*) AS n FROM search.chunks"
                " WHERE collection_id = %s GROUP BY 1) d GROUP BY n ORDER BY n",
                (collection,),
            ).fetchall()
            print("chunks per document:", dict(histogram))
            db.execute(
                "CREATE TEMP TABLE doc_lengths AS SELECT c.document_id, sum(p.tf) AS dl"
                " FROM search.postings p JOIN search.chunks c ON c.id = p.chunk_id"
                " WHERE p.collection_id = %s GROUP BY 1",
                (collection,),
            )
            chunks, chunk_len = db.execute(
                "SELECT count(*), avg(dl) FROM (SELECT DISTINCT chunk_id, dl FROM search.postings"
                " WHERE collection_id = %s) x",
                (collection,),
            ).fetchone()
            docs, doc_len = db.execute("SELECT count(*), avg(dl) FROM doc_lengths").fetchone()
            print(
                f"chunks {chunks}, mean length {chunk_len:.1f} lexemes; documents {docs}, "
                f"mean length {doc_len:.1f}"
            )
            params = {"collection": collection, "k1": config.bm25_k1, "b": config.bm25_b}
            for name, sql, n, avgdl in (
                ("per chunk (best chunk)", _CHUNK_LEVEL, chunks, chunk_len),
                ("per document (chunks pooled)", _DOCUMENT_LEVEL, docs, doc_len),
            ):
                runs = {}
                for query_id, query in dataset.queries.items():
                    rows = db.execute(
                        sql, params | {"query": query, "n": float(n), "avgdl": float(avgdl)}
                    ).fetchall()
                    runs[query_id] = [
                        to_beir[str(row[0])] for row in rows if str(row[0]) in to_beir
                    ]
                metrics = evaluate(runs, dataset.qrels)
                print(f"BM25 {name}: " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
