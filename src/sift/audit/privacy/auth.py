"""Who may make privacy requests: a signed-in person, about their own account (never a key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
