"""E-mail addresses: validated (syntax only: no DNS lookups) and normalized to one form."""

from __future__ import annotations

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field


def normalize_email(value: str) -> str:
    """The one form an address is stored and compared in: normalized, lower-cased."""
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address: {exc}") from None
    return checked.normalized.lower()


EmailAddress = Annotated[str, Field(max_length=320), AfterValidator(normalize_email)]
