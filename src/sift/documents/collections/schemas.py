"""Request and response bodies of collections and their grants."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, StrictBool, field_validator

from sift.core.languages import language_code
from sift.core.schemas import Schema
from sift.core.text import DisplayName
from sift.documents.models import NAME_LENGTH, CollectionRole, Visibility

DESCRIPTION_LENGTH = 2000


class CollectionRead(Schema):
    id: uuid.UUID
    name: str
    description: str
    visibility: Visibility
    # ISO 639-1: the language of its texts too short for detection (null: the organization's).
    language: str | None = None
    # Search indexes its texts with e-mail addresses, phone numbers, IBANs, card numbers
    # and IP addresses replaced by placeholders (the stored files stay the originals).
    redact_pii: bool = False
    # Off (only with redact_pii): each version's file leaves storage once its redacted text
    # is indexed; the document can then be neither downloaded nor re-indexed.
    keep_original_files: bool = True
    role: CollectionRole  # what the caller may do here
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class CollectionCreate(Schema):
    name: DisplayName = Field(min_length=1, max_length=NAME_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_LENGTH)
    visibility: Visibility = Visibility.org
    language: str | None = None
    # Null or absent: the organization's default (`GET /api/documents/settings`).
    redact_pii: StrictBool | None = None
    keep_original_files: StrictBool = True  # false only with redact_pii (else 422)

    _language = field_validator("language")(language_code)


class CollectionUpdate(Schema):
    name: DisplayName | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_LENGTH)
    visibility: Visibility | None = None
    # An explicit null puts the organization's default back.
    language: str | None = None
    # A change re-indexes every document of the collection.
    redact_pii: StrictBool | None = None
    # False only while redact_pii is (or becomes) true, else 422; documents whose file is
    # already gone stay without it whatever changes later.
    keep_original_files: StrictBool | None = None

    _language = field_validator("language")(language_code)


class MemberRead(Schema):
    user_id: uuid.UUID
    role: CollectionRole
    granted_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class MemberGrant(Schema):
    role: CollectionRole
