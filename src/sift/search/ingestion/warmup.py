"""An ingest worker loads what indexing needs when it starts, not on the first document.

Cold, the first document after a start waited ~23 s in "chunk" (torch and the embedding
model, loaded by the first token count) and ~4 s in "nlp" (spaCy and the language
identifier), while later ones took milliseconds. The worker runs one small document
through the pipeline as it starts, so the user's first upload is as fast as the hundredth.
"""

from __future__ import annotations

import threading
import time

import structlog

from sift.search.config import IngestSettings, SearchSettings
from sift.search.ingestion.embedding import SentenceTransformerEmbedder, get_embedder
from sift.search.ingestion.extract import Deadline, extract
from sift.search.ingestion.nlp import analyze
from sift.search.ingestion.pipeline import StepClock, process

log = structlog.get_logger()

SAMPLE = b"""# Warming up

Sift indexes documents so that a team can search them and ask questions about them.
This short text runs through every step once: extraction, language, sentences, passages.
"""


def warm_up(settings: IngestSettings, search: SearchSettings | None = None) -> None:
    """Load the embedding model, tokenizer, parsers and spaCy by indexing a sample once."""
    started = time.perf_counter()
    embedder = get_embedder(settings, search)
    deadline = Deadline(settings.time_budget_seconds)
    if isinstance(embedder, SentenceTransformerEmbedder):
        # The whole pipeline, the model's first inference included (it builds its kernels).
        process(
            SAMPLE,
            declared_type="text/markdown",
            settings=settings,
            embedder=embedder,
            clock=StepClock(),
            deadline=deadline,
        )
    else:
        # A remote model's vectors cost a request: load its tokenizer, not call it.
        extracted = extract(
            SAMPLE, declared_type="text/markdown", settings=settings, deadline=deadline
        )
        analyze(
            extracted,
            deadline=deadline,
            spacy_models=settings.spacy_models,
            default_language=settings.default_language,
        )
        embedder.count_tokens([extracted.text])
    log.info("ingest.warmed", duration_ms=round((time.perf_counter() - started) * 1000))


def warm_up_in_background(settings: IngestSettings) -> threading.Thread:
    """Warm up beside the worker: Celery gives a new pool process a few seconds to report
    that it is alive, less than loading the model takes. A task that arrives meanwhile
    waits for the model on the embedder's lock instead of loading a second copy."""

    def run() -> None:
        try:
            warm_up(settings)
        except Exception:  # the first real document reports what is wrong, with its reason
            log.exception("ingest.warm_up_failed")

    thread = threading.Thread(target=run, name="ingest-warm-up", daemon=True)
    thread.start()
    return thread
