"""Request and response bodies of collections and their grants."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field, field_validator

from sift.documents.models import NAME_LENGTH, CollectionRole, Visibility
from sift.documents.schemas import Schema

DESCRIPTION_LENGTH = 2000


def _clean_name(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError("must not be blank")
    return cleaned


class CollectionRead(Schema):
    id: uuid.UUID
    name: str
    description: str
    visibility: Visibility
    role: CollectionRole  # what the caller may do here
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class CollectionCreate(Schema):
    name: str = Field(min_length=1, max_length=NAME_LENGTH)
    description: str = Field(default="", max_length=DESCRIPTION_LENGTH)
    visibility: Visibility = Visibility.org

    _name = field_validator("name")(_clean_name)


class CollectionUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_LENGTH)
    description: str | None = Field(default=None, max_length=DESCRIPTION_LENGTH)
    visibility: Visibility | None = None

    _name = field_validator("name")(_clean_name)


class MemberRead(Schema):
    user_id: uuid.UUID
    role: CollectionRole
    granted_by: uuid.UUID
    created_at: datetime
    updated_at: datetime


class MemberGrant(Schema):
    role: CollectionRole
