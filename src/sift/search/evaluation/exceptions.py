"""Errors of evaluation runs."""

from __future__ import annotations

from sift.core.errors import NotFound


class EvaluationNotFound(NotFound):
    code = "evaluation-not-found"
    title = "Evaluation not found"

    def __init__(self) -> None:
        super().__init__("No evaluation run of your organization has this ID.")
