"""Who may ask which documents they read: anyone who may search."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

SearchRead = Annotated[Principal, Depends(Authorize("search:read"))]
