"""Who may call the account endpoints (public ones carry `Public(...)` instead)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
