"""Who may call the session endpoints (refresh and logout: the cookie and CSRF token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal
from sift.core.auth.csrf import CsrfProtect

AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
CsrfChecked = Annotated[None, Depends(CsrfProtect())]
