"""Who may call the organization endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AccountManage = Annotated[Principal, Depends(Authorize("account:manage"))]
OrgCreate = Annotated[Principal, Depends(Authorize("org:create"))]
OrgRead = Annotated[Principal, Depends(Authorize("org:read"))]
OrgManage = Annotated[Principal, Depends(Authorize("org:manage"))]
MembersRead = Annotated[Principal, Depends(Authorize("members:read"))]
MembersManage = Annotated[Principal, Depends(Authorize("members:manage"))]
# Owners only, and only a person signed in (never an API key).
OrgDelete = Annotated[Principal, Depends(Authorize("privacy:manage"))]
