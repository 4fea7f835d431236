"""Errors of evaluation runs."""

from __future__ import annotations

from sift.core.errors import BadRequest, NotFound


class EvaluationNotFound(NotFound):
    code = "evaluation-not-found"
    title = "Evaluation not found"

    def __init__(self) -> None:
        super().__init__("No evaluation run of your organization has this ID.")


class InvalidEvaluationCursor(BadRequest):
    code = "invalid-cursor"
    title = "Invalid cursor"

    def __init__(self) -> None:
        super().__init__("The cursor is not valid; start again without one.")
