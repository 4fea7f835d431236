"""Bodies of social login."""

from __future__ import annotations

from typing import Literal

from sift.core.schemas import Schema


class ProviderRead(Schema):
    name: str
    display_name: str
    kind: Literal["oidc", "github"]
    start_url: str
