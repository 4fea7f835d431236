"""Who may invite, and who may accept (the invited person, signed in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

MembersManage = Annotated[Principal, Depends(Authorize("members:manage"))]
AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
