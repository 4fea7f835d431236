"""The CPU part of ingestion: bytes -> text -> sentences -> chunks -> vectors, timed by step.

Pure (no database, no storage), so the task, the tests and the benchmark run the same code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sift.contracts.events.documents import IndexFailureCode, IndexStep
from sift.search.config import IngestSettings
from sift.search.ingestion.chunking import ChunkDraft, chunk_text, embedding_input
from sift.search.ingestion.embedding import Embedder
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.extract import Deadline, ExtractedText, extract
from sift.search.ingestion.metrics import CHUNKS_EMBEDDED
from sift.search.ingestion.nlp import Analysis, analyze
from sift.search.ingestion.redaction import redact_extracted

STEPS = ("fetch", "extract", "nlp", "chunk", "embed", "index")


@dataclass
class StepClock:
    """Start, end and duration of each step, in the order they ran."""

    steps: list[IndexStep] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        started_at = datetime.now(UTC)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.steps.append(
                IndexStep(
                    name=name,
                    started_at=started_at,
                    finished_at=datetime.now(UTC),
                    duration_ms=round((time.perf_counter() - started) * 1000),
                )
            )

    def record(self, name: str, started_at: datetime, duration_ms: int) -> None:
        """A step shared with other documents (one model call for a batch): its time span,
        and this document's share of the time."""
        self.steps.append(
            IndexStep(
                name=name,
                started_at=started_at,
                finished_at=datetime.now(UTC),
                duration_ms=max(0, duration_ms),
            )
        )

    def note(self, name: str, note: str) -> None:
        """Adds a remark to the last step called `name` (shown with the document's steps)."""
        for index in range(len(self.steps) - 1, -1, -1):
            if self.steps[index].name == name:
                self.steps[index] = self.steps[index].model_copy(update={"note": note[:300]})
                return

    def milliseconds(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for step in self.steps:
            totals[step.name] = totals.get(step.name, 0) + step.duration_ms
        return totals


@dataclass(frozen=True)
class Prepared:
    """A document's text, analysis and chunks, ready to embed."""

    extracted: ExtractedText
    analysis: Analysis
    chunks: list[ChunkDraft]
    title: str | None = None  # the document title the chunks' headers were made with
    # PII replaced by placeholders, per kind (None: the collection does not redact).
    redactions: dict[str, int] | None = None

    def embedding_texts(self) -> list[str]:
        return [embedding_input(c.context, c.text) for c in self.chunks]


@dataclass(frozen=True)
class Processed:
    extracted: ExtractedText
    analysis: Analysis
    chunks: list[ChunkDraft]
    vectors: list[list[float]]
    embedding_model: str
    embedding_dimension: int
    title: str | None = None  # the document title the chunks' headers were made with
    # PII replaced by placeholders, per kind (None: the collection does not redact).
    redactions: dict[str, int] | None = None

    @classmethod
    def of(cls, prepared: Prepared, vectors: list[list[float]], embedder: Embedder) -> Processed:
        return cls(
            extracted=prepared.extracted,
            analysis=prepared.analysis,
            chunks=prepared.chunks,
            vectors=vectors,
            embedding_model=embedder.name,
            embedding_dimension=embedder.dimension,
            title=prepared.title,
            redactions=prepared.redactions,
        )


def process(
    data: bytes,
    *,
    declared_type: str | None,
    settings: IngestSettings,
    embedder: Embedder,
    clock: StepClock,
    deadline: Deadline,
    title: str | None = None,
    redact: bool = False,
) -> Processed:
    """`title`: the document's, for the chunks' headers; `redact`: see `prepare`. Raises
    IngestError with the failure's code; anything else is a bug or an outage."""
    prepared = prepare(
        data,
        declared_type=declared_type,
        settings=settings,
        embedder=embedder,
        clock=clock,
        deadline=deadline,
        title=title,
        redact=redact,
    )
    with clock.step("embed"):
        vectors = embed(prepared.embedding_texts(), embedder, settings, deadline)
    return Processed.of(prepared, vectors, embedder)


def prepare(
    data: bytes,
    *,
    declared_type: str | None,
    settings: IngestSettings,
    embedder: Embedder,
    clock: StepClock,
    deadline: Deadline,
    title: str | None = None,
    redact: bool = False,
) -> Prepared:
    """Extract, nlp and chunk: everything but the vectors. `redact`: PII in the text is
    replaced by placeholders before anything reads it (redaction.py)."""
    with clock.step("extract"):
        extracted = extract(data, declared_type=declared_type, settings=settings, deadline=deadline)
    if extracted.replaced_controls:
        clock.note("extract", replaced_controls_note(extracted.replaced_controls))
    deadline.check()
    redactions: dict[str, int] | None = None
    if redact:
        with clock.step("redact"):
            extracted, redactions = redact_extracted(
                extracted,
                phone_region=settings.pii_phone_region,
                ner_model=settings.pii_ner_model,
            )
        deadline.check()
    with clock.step("nlp"):
        analysis = analyze(
            extracted,
            deadline=deadline,
            spacy_models=settings.spacy_models,
            default_language=settings.default_language,
        )
    deadline.check()
    with clock.step("chunk"):
        chunks = chunk_text(
            extracted.text,
            analysis.sentences,
            count_tokens=embedder.count_tokens,
            target_tokens=min(settings.chunk_target_tokens, embedder.max_tokens),
            max_tokens=min(settings.chunk_max_tokens, embedder.max_tokens),
            overlap_tokens=settings.chunk_overlap_tokens,
            headings=extracted.headings,
            title=title,
        )
    deadline.check()
    return Prepared(
        extracted=extracted, analysis=analysis, chunks=chunks, title=title, redactions=redactions
    )


def replaced_controls_note(count: int) -> str:
    characters = "character" if count == 1 else "characters"
    return (
        f"Replaced {count} stray control {characters} "
        "(0x19 as a right quote, the others as spaces)."
    )


def embed(
    texts: list[str], embedder: Embedder, settings: IngestSettings, deadline: Deadline
) -> list[list[float]]:
    """The texts' vectors, a few model batches per call; IngestError when the model fails."""
    vectors: list[list[float]] = []
    batch = max(1, settings.embedding_batch_size) * 4
    for offset in range(0, len(texts), batch):
        deadline.check()
        try:
            vectors.extend(embedder.embed(texts[offset : offset + batch]))
            CHUNKS_EMBEDDED.inc(len(texts[offset : offset + batch]))
        except (RuntimeError, ValueError) as exc:
            raise IngestError(
                IndexFailureCode.embedding_failed, "The embedding model failed on this text."
            ) from exc
    return vectors
