"""Who may call the MFA and phone endpoints: the person, for their own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
