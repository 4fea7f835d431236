"""Bodies of `/api/privacy/consents`."""

from __future__ import annotations

from datetime import datetime

from pydantic import StrictBool, model_validator

from sift.contracts.events import ConsentKind
from sift.core.schemas import Schema


class ConsentChoice(Schema):
    kind: ConsentKind
    granted: bool
    at: datetime


class ConsentsRead(Schema):
    analytics: bool
    product_email: bool
    history: list[ConsentChoice]  # newest first


class ConsentsUpdate(Schema):
    """Only the consents given are changed."""

    analytics: StrictBool | None = None
    product_email: StrictBool | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> ConsentsUpdate:
        if self.analytics is None and self.product_email is None:
            raise ValueError("Give at least one of analytics, product_email.")
        return self

    def wanted(self) -> dict[ConsentKind, bool]:
        return {
            kind: value
            for kind, value in (
                (ConsentKind.analytics, self.analytics),
                (ConsentKind.product_email, self.product_email),
            )
            if value is not None
        }
