"""Who may read and change consents: a signed-in person, their own (never an API key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

ConsentsManage = Annotated[Principal, Depends(Authorize("account:manage"))]
