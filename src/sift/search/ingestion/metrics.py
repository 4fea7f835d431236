"""Prometheus series of ingestion (counted where it runs: the ingest worker)."""

from __future__ import annotations

from prometheus_client import Counter

DOCUMENTS_INDEXED = Counter(
    "sift_documents_indexed_total",
    "Document versions indexed (outcome: indexed, superseded by a newer one, failed)",
    ("outcome",),
)
CHUNKS_EMBEDDED = Counter("sift_chunks_embedded_total", "Chunks the embedding model embedded")
