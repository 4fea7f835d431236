"""Who may call the saved-search endpoints: anyone who may search (each sees only their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

SearchRead = Annotated[Principal, Depends(Authorize("search:read"))]
