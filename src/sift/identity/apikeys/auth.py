"""Who may manage API keys: members holding `api_keys:manage` (never an API key itself)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

ApiKeysManage = Annotated[Principal, Depends(Authorize("api_keys:manage"))]
