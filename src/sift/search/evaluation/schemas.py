"""Evaluation runs: a golden set in, metrics per mode out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, field_validator

from sift.core.schemas import Schema
from sift.core.text import DisplayName

Mode = Literal["hybrid", "fulltext", "semantic"]
MODES: tuple[Mode, ...] = ("hybrid", "fulltext", "semantic")
MAX_CASES = 300  # one run searches cases x modes times, inside one request
MAX_JUDGMENTS = 1000
MAX_GRADE = 100


class EvaluationCase(Schema):
    query: str = Field(min_length=1, max_length=1000)
    # The documents that answer the query: a list (each relevant, grade 1), or graded as
    # {document_id: grade}, where 0 means judged not relevant (BEIR/TREC conventions).
    relevant_document_ids: list[uuid.UUID] | dict[uuid.UUID, int] = Field(
        min_length=1, max_length=MAX_JUDGMENTS
    )

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is blank")
        return value

    @field_validator("relevant_document_ids")
    @classmethod
    def _grades(
        cls, value: list[uuid.UUID] | dict[uuid.UUID, int]
    ) -> list[uuid.UUID] | dict[uuid.UUID, int]:
        if isinstance(value, dict):
            if any(not 0 <= grade <= MAX_GRADE for grade in value.values()):
                raise ValueError(f"grades are integers from 0 to {MAX_GRADE}")
            if not any(value.values()):
                raise ValueError("at least one document must have a grade above 0")
        return value

    def judgments(self) -> dict[uuid.UUID, int]:
        if isinstance(self.relevant_document_ids, dict):
            return dict(self.relevant_document_ids)
        return dict.fromkeys(self.relevant_document_ids, 1)


class EvaluationCreate(Schema):
    name: DisplayName | None = Field(default=None, max_length=200)
    # Search only these collections (default: every collection the caller may read).
    collection_ids: list[uuid.UUID] | None = Field(default=None, min_length=1, max_length=100)
    cases: list[EvaluationCase] = Field(min_length=1, max_length=MAX_CASES)
    modes: list[Mode] = Field(default_factory=lambda: list(MODES), min_length=1, max_length=3)

    @field_validator("modes")
    @classmethod
    def _distinct_modes(cls, value: list[Mode]) -> list[Mode]:
        return list(dict.fromkeys(value))


class ModeMetrics(Schema):
    ndcg_at_10: float = Field(alias="ndcg@10", serialization_alias="ndcg@10")
    recall_at_100: float = Field(alias="recall@100", serialization_alias="recall@100")
    mrr_at_10: float = Field(alias="mrr@10", serialization_alias="mrr@10")
    p50_ms: float
    p95_ms: float

    model_config = ConfigDict(populate_by_name=True)


class EvaluationRead(Schema):
    id: uuid.UUID
    name: str | None
    collection_ids: list[uuid.UUID] | None
    modes: list[str]
    cases: int = Field(validation_alias="case_count")
    # Cases left without a relevant document the caller may read: not scored.
    skipped_cases: int
    # Judged documents that are not indexed or that the caller may not read: dropped.
    ignored_judgments: int
    metrics: dict[str, ModeMetrics]
    created_by: uuid.UUID
    created_at: datetime


class EvaluationPage(Schema):
    items: list[EvaluationRead]
    next_cursor: str | None = None
